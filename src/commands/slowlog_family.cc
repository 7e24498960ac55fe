// commands/slowlog_family.cc — SLOWLOG GET / LEN / RESET / HELP (Redis 7.0) and the slow log
// itself (server/slowlog.h). Each entry carries a seventh element after Redis's six: the STM
// retries the command's transaction took (its duration includes them).
#include <algorithm>
#include <initializer_list>

#include "commands/util.h"
#include "server/command_table.h"
#include "server/server.h"

namespace stmkv {

namespace {

constexpr size_t kMaxArgc = 32;      // Redis's SLOWLOG_ENTRY_MAX_ARGC
constexpr size_t kMaxString = 128;   // Redis's SLOWLOG_ENTRY_MAX_STRING

}  // namespace

void SlowLog::push(std::span<const std::string_view> argv, int64_t start_us,
                   int64_t duration_us, uint64_t retries, std::string_view addr,
                   std::string_view name) {
  SlowLogEntry e;
  size_t argc = std::min(argv.size(), kMaxArgc);
  e.argv.reserve(argc);
  for (size_t i = 0; i < argc; ++i) {
    if (argc != argv.size() && i == argc - 1) {
      e.argv.push_back("... (" + std::to_string(argv.size() - argc + 1) + " more arguments)");
    } else if (argv[i].size() > kMaxString) {
      e.argv.push_back(std::string(argv[i].substr(0, kMaxString)) + "... (" +
                       std::to_string(argv[i].size() - kMaxString) + " more bytes)");
    } else {
      e.argv.emplace_back(argv[i]);
    }
  }
  e.time_s = (start_us + duration_us) / 1000000;
  e.duration_us = duration_us;
  e.addr.assign(addr);
  e.name.assign(name);
  e.retries = retries;
  std::lock_guard<std::mutex> g(mu_);
  e.id = next_id_++;
  entries_.push_front(std::move(e));
  size_t max = size_t(std::max<int64_t>(0, max_len_.load(std::memory_order_relaxed)));
  while (entries_.size() > max) entries_.pop_back();
}

std::vector<SlowLogEntry> SlowLog::get(int64_t count) const {
  std::lock_guard<std::mutex> g(mu_);
  size_t n = count < 0 ? entries_.size() : std::min(entries_.size(), size_t(count));
  return std::vector<SlowLogEntry>(entries_.begin(), entries_.begin() + ptrdiff_t(n));
}

size_t SlowLog::len() const {
  std::lock_guard<std::mutex> g(mu_);
  return entries_.size();
}

void SlowLog::reset() {
  std::lock_guard<std::mutex> g(mu_);
  entries_.clear();
}

void SlowLog::configure(int64_t slower_than_us, int64_t max_len) {
  slower_than_.store(slower_than_us, std::memory_order_relaxed);
  max_len_.store(max_len, std::memory_order_relaxed);
  configured_.store(true, std::memory_order_release);
}

namespace {

void cmd_slowlog_get(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.argc() > 3) {
    ctx.out.add_error("ERR unknown subcommand or wrong number of arguments for '" +
                      std::string(ctx.arg(1)) + "'. Try SLOWLOG HELP.");
    return;
  }
  if (ctx.argc() == 3 && (!parse_int64(ctx.arg(2), &count) || count < -1)) {
    ctx.out.add_error("ERR count should be greater than or equal to -1");
    return;
  }
  std::vector<SlowLogEntry> entries = ctx.server.slowlog.get(count);
  ctx.out.add_array_len(entries.size());
  for (const SlowLogEntry& e : entries) {
    ctx.out.add_array_len(7);
    ctx.out.add_integer(static_cast<long long>(e.id));
    ctx.out.add_integer(e.time_s);
    ctx.out.add_integer(e.duration_us);
    ctx.out.add_array_len(e.argv.size());
    for (const std::string& a : e.argv) ctx.out.add_bulk(a);
    ctx.out.add_bulk(e.addr);
    ctx.out.add_bulk(e.name);
    ctx.out.add_integer(static_cast<long long>(e.retries));
  }
}

void cmd_slowlog_len(CommandContext& ctx) {
  ctx.out.add_integer(static_cast<long long>(ctx.server.slowlog.len()));
}

void cmd_slowlog_reset(CommandContext& ctx) {
  ctx.server.slowlog.reset();
  ctx.out.add_ok();
}

void cmd_slowlog_help(CommandContext& ctx) {
  static const std::initializer_list<std::string_view> kLines = {
      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
      "HELP",
      "    Prints this help.",
  };
  ctx.out.add_array_len(kLines.size());
  for (std::string_view l : kLines) ctx.out.add_simple_string(l);
}

}  // namespace

void register_slowlog_family(CommandTable& t) {
  constexpr uint32_t kLS = kCmdLoading | kCmdStale;
  constexpr uint64_t kAdminAcl = kAclAdmin | kAclSlow | kAclDangerous;
  t.add({.name = "slowlog", .arity = -2, .acl = kAclSlow, .group = "server", .since = "2.2.12",
         .summary = "A container for slow log commands",
         .complexity = "Depends on subcommand.", .syntax = "",
         .subcommands = {
             {.name = "get", .arity = -2, .flags = kCmdAdmin | kLS, .acl = kAdminAcl,
              .handler = cmd_slowlog_get, .group = "server", .since = "2.2.12",
              .summary = "Get the slow log's entries",
              .complexity = "O(N) where N is the number of entries returned",
              .syntax = "[count]"},
             {.name = "len", .arity = 2, .flags = kCmdAdmin | kLS, .acl = kAdminAcl,
              .handler = cmd_slowlog_len, .group = "server", .since = "2.2.12",
              .summary = "Get the slow log's length", .complexity = "O(1)", .syntax = ""},
             {.name = "reset", .arity = 2, .flags = kCmdAdmin | kLS, .acl = kAdminAcl,
              .handler = cmd_slowlog_reset, .group = "server", .since = "2.2.12",
              .summary = "Clear all entries from the slow log",
              .complexity = "O(N) where N is the number of entries in the slowlog",
              .syntax = ""},
             {.name = "help", .arity = 2, .flags = kLS, .acl = kAclSlow,
              .handler = cmd_slowlog_help, .group = "server", .since = "6.2.0",
              .summary = "Show helpful text about the different subcommands",
              .complexity = "O(1)", .syntax = ""},
         }});
}

}  // namespace stmkv
