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

// Reads slowlog-log-slower-than and slowlog-max-len into the server's SlowLog (done by
// execute_command at the first command and after CONFIG SET).
void sync_slowlog_config(Server& server);

}  // namespace stmkv
