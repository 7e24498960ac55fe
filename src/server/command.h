// server/command.h — what a command is: its metadata (one row of the command table) and the
// context its handler runs with.
//
// Handlers follow one shape: parse and validate the arguments first (errors out before touching
// the heap), then operate on the heap through ctx.tx(), then write the reply into ctx.out.
// Handlers of commands with kTx run inside an STM transaction and may run several times (abort
// and retry): they must not have side effects outside the heap and ctx.out — use
// ctx.tx().on_commit() for those. Handlers without kTx run once, outside any transaction.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"
#include "stm/stm.h"

namespace stmkv {

class Server;
struct WorkerContext;
struct ClientState;

// Command flags, as Redis names them in COMMAND INFO (plus kTx, ours).
enum CommandFlag : uint32_t {
  kCmdWrite = 1u << 0,
  kCmdReadonly = 1u << 1,
  kCmdDenyOom = 1u << 2,
  kCmdAdmin = 1u << 3,
  kCmdPubsub = 1u << 4,
  kCmdNoscript = 1u << 5,
  kCmdBlocking = 1u << 6,
  kCmdLoading = 1u << 7,
  kCmdStale = 1u << 8,
  kCmdSkipMonitor = 1u << 9,
  kCmdSkipSlowlog = 1u << 10,
  kCmdFast = 1u << 11,
  kCmdNoAuth = 1u << 12,
  kCmdMayReplicate = 1u << 13,
  kCmdNoMulti = 1u << 14,
  kCmdAllowBusy = 1u << 15,
  kCmdSentinel = 1u << 16,
  kCmdMovableKeys = 1u << 17,   // the keys are found by CommandSpec::get_keys
  // Ours: the handler runs inside an STM transaction (ctx.tx() is valid).
  kCmdTx = 1u << 31,
};

// ACL categories (COMMAND INFO's @names).
enum AclCategory : uint64_t {
  kAclKeyspace = 1ull << 0,
  kAclRead = 1ull << 1,
  kAclWrite = 1ull << 2,
  kAclSet = 1ull << 3,
  kAclSortedset = 1ull << 4,
  kAclList = 1ull << 5,
  kAclHash = 1ull << 6,
  kAclString = 1ull << 7,
  kAclBitmap = 1ull << 8,
  kAclHyperloglog = 1ull << 9,
  kAclGeo = 1ull << 10,
  kAclStream = 1ull << 11,
  kAclPubsub = 1ull << 12,
  kAclAdmin = 1ull << 13,
  kAclFast = 1ull << 14,
  kAclSlow = 1ull << 15,
  kAclBlocking = 1ull << 16,
  kAclDangerous = 1ull << 17,
  kAclConnection = 1ull << 18,
  kAclTransaction = 1ull << 19,
  kAclScripting = 1ull << 20,
};
// Category names in bit order ("keyspace", "read", ...).
std::span<const std::string_view> acl_category_names();

class CommandContext;
using CommandHandler = void (*)(CommandContext& ctx);

// A key found in a command line by a command's key finder (movable keys, e.g. SORT ... STORE):
// its argv index and COMMAND GETKEYSANDFLAGS's two flags for it (e.g. "RO", "access").
struct KeyPosition {
  int pos;
  std::string_view flags[2];
};
// Finds the keys of a full command line (argv[0] = the command name; arity already checked).
using KeyFinder = std::vector<KeyPosition> (*)(std::span<const std::string_view> argv);

// One row of the command table. Arity as Redis: N = exactly N arguments (with the name),
// -N = at least N. Keys: first/last/step positions (last -1 = last argument; 0 = no keys).
struct CommandSpec {
  std::string_view name;   // lowercase; for subcommands the subcommand alone ("get")
  int arity = 0;
  uint32_t flags = 0;
  int first_key = 0;
  int last_key = 0;
  int key_step = 0;
  uint64_t acl = 0;
  CommandHandler handler = nullptr;
  // COMMAND DOCS
  std::string_view group;      // "string", "generic", "connection", "server", ...
  std::string_view since;      // "1.0.0"
  std::string_view summary;
  std::string_view complexity;
  // Argument syntax in Redis's help notation, e.g. "key value [NX|XX] [GET]" (drives the
  // arguments of COMMAND DOCS and redis-cli's hints).
  std::string_view syntax;
  // Container commands (CLIENT, CONFIG, ...): their subcommands. A container's handler may be
  // null (dispatch goes to the subcommand).
  std::vector<CommandSpec> subcommands;
  // With kCmdMovableKeys: where the keys are (COMMAND GETKEYS); first/last/step give the fixed
  // part as Redis's legacy key range.
  KeyFinder get_keys = nullptr;

  // Filled in by the table: "get", or "client|list" for a subcommand.
  std::string full_name;
  int id = -1;   // index into per-command statistics
};

// The context of one command execution.
class CommandContext {
 public:
  CommandContext(Server& server, WorkerContext& worker, ClientState& client,
                 std::span<const std::string_view> argv, protocol::ReplyWriter& out,
                 int64_t now_ms)
      : server(server), worker(worker), client(client), argv(argv), out(out), now_ms(now_ms) {}

  Server& server;
  WorkerContext& worker;
  ClientState& client;
  std::span<const std::string_view> argv;   // argv[0] is the command name as sent
  protocol::ReplyWriter& out;                // the reply (discarded if the tx aborts)
  int64_t now_ms;                            // the command's clock (expiry is relative to it)
  const CommandSpec* spec = nullptr;

  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
  // The transaction (commands with kCmdTx only).
  stm::Tx& tx() { return *tx_; }
  bool in_tx() const { return tx_ != nullptr; }

  // Common replies with Redis's exact texts.
  void reply_syntax_error() { out.add_error("ERR syntax error"); }
  void reply_wrong_type() {
    out.add_error("WRONGTYPE Operation against a key holding the wrong kind of value");
  }
  void reply_not_integer() { out.add_error("ERR value is not an integer or out of range"); }
  void reply_not_float() { out.add_error("ERR value is not a valid float"); }
  void reply_arity_error();   // "ERR wrong number of arguments for '<full name>' command"

  // Keyspace statistics of this attempt (reset when a transaction retries; added to the
  // worker's counters once the command has committed).
  void hit() { ++hits; }
  void miss() { ++misses; }
  int hits = 0;
  int misses = 0;

  stm::Tx* tx_ = nullptr;    // set by the dispatcher
  // True while the command runs as part of EXEC: blocking commands must not block there (they
  // answer as if their timeout had expired, as in Redis).
  bool in_exec = false;
};

}  // namespace stmkv
