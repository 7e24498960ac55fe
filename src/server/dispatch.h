// server/dispatch.h — runs one client command: lookup, arity check, then the handler (inside
// an STM transaction for kCmdTx commands, retried until it commits), counting statistics.
// Called by the worker that owns the client; the reply is complete (committed) on return.
#pragma once

#include <span>
#include <string_view>

#include "protocol/reply_writer.h"
#include "server/client.h"
#include "server/server.h"

namespace stmkv {

// Executes argv (argv[0] = command name, non-empty) for client on worker, appending the reply
// to out. Errors are replies; it never throws for bad input.
void execute_command(WorkerContext& worker, ClientState& client,
                     std::span<const std::string_view> argv, protocol::ReplyWriter& out);

// Runs spec's handler for argv as part of an enclosing command (a command queued in EXEC's
// block, a script's redis.call), inside the enclosing transaction `tx` (nullptr for a command
// without kCmdTx): no lookup, arity or statistics here. The reply goes to out; blocking
// commands answer as if their timeout had expired. Adds the command's keyspace hits and
// misses to *hits and *misses. stm::Abort propagates (the enclosing transaction retries).
void run_nested_command(WorkerContext& worker, ClientState& client, const CommandSpec& spec,
                        std::span<const std::string_view> argv, protocol::ReplyWriter& out,
                        int64_t now_ms, stm::Tx* tx, int* hits, int* misses);

// Reads slowlog-log-slower-than and slowlog-max-len into the server's SlowLog (done by
// execute_command at the first command and after CONFIG SET).
void sync_slowlog_config(Server& server);

// After a CONFIG SET (top level or in an EXEC block): the slow log, ACL (requirepass,
// acllog-max-len) and eviction settings read the configuration again.
void sync_after_config_set(Server& server);

}  // namespace stmkv
