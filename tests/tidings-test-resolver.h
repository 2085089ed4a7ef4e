/* tidings-test-resolver.h: a resolver that knows no name at all
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tests have no DNS to ask and must not ask the real one. Made the
 * default with g_resolver_set_default(), it fails every lookup the way a
 * name that does not exist fails, at once, and counts the lookups (each
 * connection attempt may make two, one for IPv4 and one for IPv6), so a
 * test can tell how often a host was tried. For one test program: include
 * it from a single file.
 */

#pragma once

#include <gio/gio.h>

#define TIDINGS_TYPE_TEST_RESOLVER (tidings_test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TidingsTestResolver, tidings_test_resolver, TIDINGS, TEST_RESOLVER,
                      GResolver)

struct _TidingsTestResolver
{
  GResolver parent_instance;
  gint      lookups;              /* atomic: lookups may come from threads */
};

G_DEFINE_FINAL_TYPE (TidingsTestResolver, tidings_test_resolver, G_TYPE_RESOLVER)

static GList *
tidings_test_resolver_lookup_with_flags (GResolver                 *resolver,
                                         const char                *hostname,
                                         GResolverNameLookupFlags   flags,
                                         GCancellable              *cancellable,
                                         GError                   **error)
{
  (void) flags;
  (void) cancellable;
  g_atomic_int_inc (&TIDINGS_TEST_RESOLVER (resolver)->lookups);
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
               "Error resolving “%s”: Name or service not known", hostname);
  return NULL;
}

static GList *
tidings_test_resolver_lookup (GResolver     *resolver,
                              const char    *hostname,
                              GCancellable  *cancellable,
                              GError       **error)
{
  return tidings_test_resolver_lookup_with_flags (resolver, hostname,
                                                  G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                                  cancellable, error);
}

static void
tidings_test_resolver_lookup_with_flags_async (GResolver                *resolver,
                                               const char               *hostname,
                                               GResolverNameLookupFlags  flags,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;

  tidings_test_resolver_lookup_with_flags (resolver, hostname, flags, cancellable, &error);
  g_task_return_error (task, error);
}

static void
tidings_test_resolver_lookup_async (GResolver           *resolver,
                                    const char          *hostname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  tidings_test_resolver_lookup_with_flags_async (resolver, hostname,
                                                 G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                                 cancellable, callback, user_data);
}

static GList *
tidings_test_resolver_lookup_finish (GResolver     *resolver,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  (void) resolver;
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
tidings_test_resolver_class_init (TidingsTestResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  resolver_class->lookup_by_name = tidings_test_resolver_lookup;
  resolver_class->lookup_by_name_async = tidings_test_resolver_lookup_async;
  resolver_class->lookup_by_name_finish = tidings_test_resolver_lookup_finish;
  resolver_class->lookup_by_name_with_flags = tidings_test_resolver_lookup_with_flags;
  resolver_class->lookup_by_name_with_flags_async = tidings_test_resolver_lookup_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = tidings_test_resolver_lookup_finish;
}

static void
tidings_test_resolver_init (TidingsTestResolver *self)
{
  (void) self;
}

static inline guint
tidings_test_resolver_get_lookups (TidingsTestResolver *self)
{
  return (guint) g_atomic_int_get (&self->lookups);
}

static inline void
tidings_test_resolver_reset (TidingsTestResolver *self)
{
  g_atomic_int_set (&self->lookups, 0);
}
