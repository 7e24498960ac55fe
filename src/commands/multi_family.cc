// commands/multi_family.cc — transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. The client
// state and the execution of a block live in server/multi.{h,cc}; the dispatcher queues the
// commands received between MULTI and EXEC.
#include "server/command_table.h"
#include "server/multi.h"

namespace stmkv {

void register_multi_family(CommandTable& t) {
  constexpr uint32_t kBase = kCmdNoscript | kCmdLoading | kCmdStale;
  constexpr uint64_t kFastTx = kAclFast | kAclTransaction;
  t.add({.name = "multi", .arity = 1, .flags = kBase | kCmdFast | kCmdAllowBusy, .acl = kFastTx,
         .handler = multi_cmd_multi, .group = "transactions", .since = "1.2.0",
         .summary = "Mark the start of a transaction block", .complexity = "O(1)",
         .syntax = ""});
  t.add({.name = "exec", .arity = 1, .flags = kBase | kCmdSkipSlowlog,
         .acl = kAclSlow | kAclTransaction, .handler = multi_cmd_exec, .group = "transactions",
         .since = "1.2.0", .summary = "Execute all commands issued after MULTI",
         .complexity = "Depends on commands in the transaction", .syntax = ""});
  t.add({.name = "discard", .arity = 1, .flags = kBase | kCmdFast | kCmdAllowBusy,
         .acl = kFastTx, .handler = multi_cmd_discard, .group = "transactions",
         .since = "2.0.0", .summary = "Discard all commands issued after MULTI",
         .complexity = "O(N), when N is the number of queued commands", .syntax = ""});
  t.add({.name = "watch", .arity = -2, .flags = kBase | kCmdFast | kCmdAllowBusy | kCmdTx,
         .first_key = 1, .last_key = -1, .key_step = 1, .acl = kFastTx,
         .handler = multi_cmd_watch, .group = "transactions", .since = "2.2.0",
         .summary = "Watch the given keys to determine execution of the MULTI/EXEC block",
         .complexity = "O(1) for every key.", .syntax = "key [key ...]"});
  t.add({.name = "unwatch", .arity = 1, .flags = kBase | kCmdFast | kCmdAllowBusy,
         .acl = kFastTx, .handler = multi_cmd_unwatch, .group = "transactions",
         .since = "2.2.0", .summary = "Forget about all watched keys", .complexity = "O(1)",
         .syntax = ""});
}

}  // namespace stmkv
