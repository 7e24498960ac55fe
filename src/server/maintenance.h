// server/maintenance.h — periodic background work on the keyspace: active expiry and
// incremental hash-table resizing, run as small transactions.
//
// The net layer calls run_maintenance(worker) every 100 ms on every worker's own thread, between
// client commands (never inside a transaction). Each worker sweeps its own share of the buckets
// (its cursors are worker-private) and drives the resizing of the databases d with
// d % nworkers == worker.index. A call returns within a few milliseconds (time budgets).
#pragma once

#include "server/server.h"

namespace stmkv {

// Returns true when a resize of one of this worker's databases is still pending and the worker
// served no command since the previous call: the caller then runs run_idle_resize soon.
bool run_maintenance(WorkerContext& worker);

// Resizing while idle, in slices of about budget_us between which the event loop serves any
// new input: a pending resize keeps every migrated entry's page private in every view until it
// ends (+2 s), so an idle server finishes it at once rather than at 20 ms per 100 ms tick
// (measured: 1,000,000 keys, idle, the last resize took > 20 s that way and PSS stayed at
// 2.4x redis-server's RSS meanwhile). Returns true while work remains and the worker is still
// idle (no command since the previous slice); false hands back to the 100 ms maintenance.
bool run_idle_resize(WorkerContext& worker, int64_t budget_us);

}  // namespace stmkv
