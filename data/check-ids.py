#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks that every identity the build generated is the one app_id: the desktop
# file, the metainfo, the GSettings schema, the D-Bus service, the icons and
# the resource prefix.
# A mismatch breaks D-Bus activation, icons or settings only once installed, so
# catch it here. Output is TAP.

import argparse
import configparser
import os
import sys
import xml.etree.ElementTree as ET


def desktop_entry(path):
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    with open(path, encoding='utf-8') as f:
        parser.read_file(f)
    return parser


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--app-id', required=True)
    ap.add_argument('--desktop', required=True)
    ap.add_argument('--metainfo', required=True)
    ap.add_argument('--schema', required=True)
    ap.add_argument('--service', required=True)
    ap.add_argument('--scalable-icon', required=True)
    ap.add_argument('--symbolic-icon', required=True)
    ap.add_argument('--symbolic-icon-name', required=True)
    ap.add_argument('--resources', required=True)
    args = ap.parse_args()

    app_id = args.app_id
    app_path = '/' + app_id.replace('.', '/') + '/'
    checks = []

    def check(name, actual, expected):
        checks.append((name, actual, expected))

    # Desktop file: its name is what GIO activates over D-Bus.
    desktop = desktop_entry(args.desktop)
    entry = desktop['Desktop Entry']
    check('desktop file name', os.path.basename(args.desktop), app_id + '.desktop')
    check('desktop Icon', entry.get('Icon'), app_id)
    check('desktop DBusActivatable', entry.get('DBusActivatable'), 'true')

    # Metainfo
    component = ET.parse(args.metainfo).getroot()
    check('metainfo file name', os.path.basename(args.metainfo), app_id + '.metainfo.xml')
    check('metainfo id', component.findtext('id'), app_id)
    launchables = [l.text for l in component.findall('launchable')
                   if l.get('type') == 'desktop-id']
    check('metainfo launchable', launchables, [app_id + '.desktop'])

    # GSettings schema
    schemas = ET.parse(args.schema).getroot().findall('schema')
    check('schema file name', os.path.basename(args.schema), app_id + '.gschema.xml')
    check('schema ids', [s.get('id') for s in schemas], [app_id])
    check('schema paths', [s.get('path') for s in schemas], [app_path])
    # Shown by dconf-editor and `gsettings describe`: no key without them.
    check('schema keys without a summary or a description',
          [k.get('name') for s in schemas for k in s.findall('key')
           if not (k.findtext('summary') or '').strip()
           or not (k.findtext('description') or '').strip()], [])

    # D-Bus service
    service = desktop_entry(args.service)['D-BUS Service']
    check('service file name', os.path.basename(args.service), app_id + '.service')
    check('service Name', service.get('Name'), app_id)
    check('service Exec', service.get('Exec', '').split()[-1:], ['--gapplication-service'])

    # Icons: both must exist and be named for app_id once installed.
    check('scalable icon name', os.path.basename(args.scalable_icon), app_id + '.svg')
    check('scalable icon is SVG',
          ET.parse(args.scalable_icon).getroot().tag, '{http://www.w3.org/2000/svg}svg')
    check('symbolic icon name', args.symbolic_icon_name, app_id + '-symbolic.svg')
    check('symbolic icon is SVG',
          ET.parse(args.symbolic_icon).getroot().tag, '{http://www.w3.org/2000/svg}svg')

    # GResource: GtkApplication looks for its resources (shortcuts, icons)
    # under the path of the application id.
    resources = ET.parse(args.resources).getroot().findall('gresource')
    check('resource prefixes', [r.get('prefix') for r in resources], [app_path])

    print('1..%d' % len(checks))
    failed = 0
    for i, (name, actual, expected) in enumerate(checks, 1):
        if actual == expected:
            print('ok %d - %s' % (i, name))
        else:
            failed += 1
            print('not ok %d - %s' % (i, name))
            print('# expected %r, got %r' % (expected, actual))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
