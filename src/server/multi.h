// server/multi.h — a client's transaction state (MULTI / EXEC / DISCARD / WATCH / UNWATCH) and
// the execution of a queued block.
//
// Semantics are Redis 7.0's, as clients see them. The implementation is stmkv's: EXEC runs the
// whole block as one STM transaction (retried transparently on conflicts, inevitable after
// Config::inevitable_after aborts). WATCH records each key's modification stamp
// (Entry::version, or "absent": a logically expired key is absent); EXEC re-reads the stamps
// inside its transaction, so a WATCH is broken by a change to that key only (a write, a
// delete, an expiry, FLUSHDB / FLUSHALL / SWAPDB / MOVE / RENAME), never by writes to others.
//
// Everything here runs on the worker thread that owns the client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace protocol {
class ReplyWriter;
}

namespace stmkv {

struct CommandSpec;
class CommandContext;
struct ClientState;

// One command queued between MULTI and EXEC.
struct QueuedCommand {
  const CommandSpec* spec = nullptr;   // resolved (a subcommand for containers)
  std::vector<std::string> argv;
};

// A key recorded by WATCH: its stamp when watched (0 = absent or expired).
struct WatchedKey {
  int db = 0;
  std::string key;
  uint64_t version = 0;
};

// Owned by ClientState (owner thread only).
struct MultiState {
  bool active = false;   // between MULTI and EXEC / DISCARD
  bool dirty = false;    // a command was rejected while queueing: EXEC answers EXECABORT
  std::vector<QueuedCommand> queue;
  std::vector<WatchedKey> watched;
};

// Whether a command received while the client is in MULTI is queued (everything but EXEC,
// DISCARD, MULTI, WATCH, QUIT and RESET, which Redis runs at once).
bool multi_queues(const CommandSpec& spec);
// Queues argv for spec (already looked up and arity-checked) and replies +QUEUED, or refuses
// a command flagged no-multi ("ERR Command not allowed inside a transaction"), flagging the
// transaction.
void multi_queue(ClientState& client, const CommandSpec& spec,
                 std::span<const std::string_view> argv, protocol::ReplyWriter& out);
// Marks the open transaction (if any) as failed: an unknown command or an arity error while
// queueing makes EXEC answer EXECABORT.
void multi_flag_error(ClientState& client);
// Leaves MULTI and forgets the queue and the watched keys (DISCARD, EXECABORT, RESET).
void multi_discard(ClientState& client);

// The command handlers (commands/multi_family.cc registers them).
void multi_cmd_multi(CommandContext& ctx);
void multi_cmd_exec(CommandContext& ctx);
void multi_cmd_discard(CommandContext& ctx);
void multi_cmd_watch(CommandContext& ctx);   // kCmdTx: reads the stamps in a transaction
void multi_cmd_unwatch(CommandContext& ctx);

}  // namespace stmkv
