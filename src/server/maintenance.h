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

void run_maintenance(WorkerContext& worker);

}  // namespace stmkv
