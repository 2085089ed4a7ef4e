# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced by the build-aux scripts: installs whatever Debian 12
# packages the build and the test suite need that are not installed yet.
# The package list lives here and nowhere else.

tidings_packages=(
  # Build (libxml2-utils: xmllint strips blanks from the .ui files in the
  # GResource; libgtk-4-bin: gtk4-update-icon-cache for installs)
  git
  ca-certificates
  meson
  ninja-build
  pkg-config
  gcc
  libc6-dev
  libglib2.0-dev
  libglib2.0-bin
  libgtk-4-dev
  libgtk-4-bin
  libadwaita-1-dev
  libwebkitgtk-6.0-dev
  libjson-glib-dev
  libxml2-dev
  libxml2-utils
  libsqlite3-dev
  libsoup-3.0-dev
  gettext
  # The translation tests run the window in uk_UA.UTF-8 and format dates in
  # de_DE.UTF-8: every locale, compiled.
  locales-all
  # data/ checks (groff-base: the manual page is read with groff -ww)
  desktop-file-utils
  appstream
  groff-base
  # Tests: the CLI and conformance runners are python3 stdlib only; widget
  # tests need a display server and a session bus.
  python3
  zlib1g-dev
  libbrotli-dev
  xvfb
  # Keyboard tests type real keys (xdotool); widget tests may capture the
  # screen (imagemagick's import).
  xdotool
  imagemagick
  xauth
  dbus
  dbus-x11
)

# The fuzzing stage (build-aux/fuzz) needs clang's libFuzzer and sanitizers.
tidings_fuzz_packages=(
  clang-14
  libclang-rt-14-dev
)

# The memcheck stage (build-aux/valgrind).
tidings_valgrind_packages=(
  valgrind
)

# Installs the packages above that are missing, plus any given as arguments.
tidings_install_deps ()
{
  local missing=()
  local pkg status

  for pkg in "${tidings_packages[@]}" "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "installed" ]; then
      missing+=("$pkg")
    fi
  done

  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi

  echo "Installing missing Debian packages: ${missing[*]}" >&2

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "error: these packages are missing and sudo is not available: ${missing[*]}" >&2
      echo "Install them as root with: apt-get install ${missing[*]}" >&2
      exit 1
    fi
    sudo=(sudo)
  fi

  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

# Configures the build directory, or refreshes it if it already exists.
tidings_configure ()
{
  local builddir=$1
  shift

  if [ -f "$builddir/meson-private/coredata.dat" ]; then
    meson setup --reconfigure "$builddir" "$@"
  else
    meson setup "$builddir" "$@"
  fi
}
