/* tidings-web.c: loading the article view's module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* dladdr() */
#define _GNU_SOURCE

#define G_LOG_DOMAIN "tidings-web"

#include "config.h"

#include <dlfcn.h>

#include <glib/gi18n.h>
#include <gmodule.h>

#include "tidings-web.h"

/* Linked in, as in the tests, the module's table is there already; in
 * libtidings-ui.so the reference stays empty and the module is loaded. */
#pragma weak tidings_web_module_get_funcs

static GMutex load_lock;
static const TidingsWebFuncs *loaded;

/* libtidings-web.so beside the module this code is in (the build tree, or
 * the installed module folder). */
static char *
find_module (void)
{
  Dl_info info;

  if (dladdr ((void *) find_module, &info) != 0 && info.dli_fname != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (info.dli_fname);
      g_autofree char *beside = g_build_filename (dir, "libtidings-web.so", NULL);

      if (g_file_test (beside, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&beside);
    }

  return g_build_filename (TIDINGS_MODULEDIR, "libtidings-web.so", NULL);
}

/* Any thread. */
static const TidingsWebFuncs *
load (GError **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&load_lock);
  g_autofree char *path = NULL;
  const TidingsWebFuncs *(*get_funcs) (void) = NULL;
  GModule *module;

  if (loaded != NULL)
    return loaded;

  if (tidings_web_module_get_funcs != NULL)
    {
      loaded = tidings_web_module_get_funcs ();
      return loaded;
    }

  path = find_module ();
  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The article view could not be loaded: %s"), g_module_error ());
      return NULL;
    }
  if (!g_module_symbol (module, "tidings_web_module_get_funcs", (gpointer *) &get_funcs)
      || get_funcs == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The article view could not be loaded: %s is not Tidings’ article view"),
                   path);
      g_module_close (module);
      return NULL;
    }

  /* Its types stay registered: the module stays until the process ends. */
  g_module_make_resident (module);
  loaded = get_funcs ();
  return loaded;
}

const TidingsWebFuncs *
tidings_web_get (GError **error)
{
  return load (error);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  const TidingsWebFuncs *funcs = load (&error);

  if (funcs == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, (gpointer) funcs, NULL);
}

void
tidings_web_load_async (GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, tidings_web_load_async);
  g_task_run_in_thread (task, load_thread);
}

const TidingsWebFuncs *
tidings_web_load_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
