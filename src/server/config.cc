// server/config.cc — see config.h. Parsing follows redis 7.0's config.c, sds.c and util.c so
// that files, command lines and error messages behave as redis-server's do.
#include "server/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>

#ifndef STMKV_VERSION
#define STMKV_VERSION "0.0.0"
#endif

namespace stmkv {
namespace {

constexpr int kMaxIncludeDepth = 16;
constexpr size_t kMaxBindAddresses = 16;  // redis's CONFIG_BINDADDR_MAX

using SetFn =
    std::function<std::optional<std::string>(ServerConfig*, std::span<const std::string>)>;
using GetFn = std::function<std::string(const ServerConfig&)>;

// One entry of the option table: its name and how to set and print it.
struct OptionDef {
  std::string_view name;
  bool multi_arg;  // takes any number of arguments; others take exactly one
  SetFn set;
  GetFn get;
  bool immutable = false;        // CONFIG SET refuses it
  std::string_view canonical{};  // for an alias, the primary name; empty for a primary
};

// The same option under another name (Redis 7.0 keeps the ziplist names as aliases).
OptionDef alias(std::string_view name, OptionDef primary) {
  primary.canonical = primary.name;
  primary.name = name;
  return primary;
}

OptionDef immutable(OptionDef def) {
  def.immutable = true;
  return def;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Strict integer parse as redis's string2ll: optional '-', no '+', no leading zeros, no spaces.
std::optional<int64_t> parse_int(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  size_t i = 0;
  bool negative = false;
  if (s == "0") return 0;
  if (s[0] == '-') {
    negative = true;
    i = 1;
  }
  if (i >= s.size() || s[i] < '1' || s[i] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - v);
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(v);
}

std::string range_error(int64_t min, int64_t max) {
  return "argument must be between " + std::to_string(min) + " and " + std::to_string(max) +
         " inclusive";
}

template <typename T>
OptionDef integer_option(std::string_view name, T ServerConfig::*field, int64_t min, int64_t max) {
  return OptionDef{
      name, false,
      [=](ServerConfig* c, std::span<const std::string> args) -> std::optional<std::string> {
        std::optional<int64_t> v = parse_int(args[0]);
        if (!v) return "argument couldn't be parsed into an integer";
        if (*v < min || *v > max) return range_error(min, max);
        c->*field = static_cast<T>(*v);
        return std::nullopt;
      },
      [=](const ServerConfig& c) { return std::to_string(c.*field); }};
}

template <typename T>
OptionDef memory_option(std::string_view name, T ServerConfig::*field, uint64_t min, uint64_t max) {
  return OptionDef{
      name, false,
      [=](ServerConfig* c, std::span<const std::string> args) -> std::optional<std::string> {
        std::optional<uint64_t> v = parse_memory(args[0]);
        if (!v) return "argument must be a memory value";
        if (*v < min || *v > max) {
          return "argument must be between " + std::to_string(min) + " and " + std::to_string(max) +
                 " inclusive";
        }
        c->*field = static_cast<T>(*v);
        return std::nullopt;
      },
      [=](const ServerConfig& c) { return std::to_string(c.*field); }};
}

// An option whose value is one of a fixed list of words (case-insensitive; stored as listed).
OptionDef enum_option(std::string_view name, std::string ServerConfig::*field,
                      std::vector<std::string_view> values) {
  return OptionDef{
      name, false,
      [=](ServerConfig* c, std::span<const std::string> args) -> std::optional<std::string> {
        for (std::string_view v : values) {
          if (equals_ignore_case(args[0], v)) {
            c->*field = std::string(v);
            return std::nullopt;
          }
        }
        std::string msg = "argument(s) must be one of the following: ";
        for (size_t i = 0; i < values.size(); i++) {
          if (i > 0) msg += ", ";
          msg += values[i];
        }
        return msg;
      },
      [=](const ServerConfig& c) { return c.*field; }};
}

// save: pairs "<seconds> <changes>" (seconds >= 1, changes >= 0, parsed as strtoll), or ""
// (or no argument) for none. Redis 7.0's setConfigSaveOption.
OptionDef save_option() {
  return OptionDef{
      "save", true,
      [](ServerConfig* c, std::span<const std::string> args) -> std::optional<std::string> {
        if (args.size() == 1 && args[0].empty()) args = {};
        if (args.size() % 2 != 0) return "Invalid save parameters";
        std::vector<SavePoint> points;
        for (size_t j = 0; j < args.size(); j++) {
          char* end = nullptr;
          errno = 0;
          long long v = std::strtoll(args[j].c_str(), &end, 10);
          if (*end != '\0' || (j % 2 == 0 && v < 1) || (j % 2 == 1 && v < 0)) {
            return "Invalid save parameters";
          }
          if (j % 2 == 0) {
            points.push_back({v, 0});
          } else {
            points.back().changes = static_cast<int>(v);  // redis keeps changes in an int
          }
        }
        c->save = std::move(points);
        return std::nullopt;
      },
      [](const ServerConfig& c) {
        std::string out;
        for (const SavePoint& p : c.save) {
          if (!out.empty()) out += ' ';
          out += std::to_string(p.seconds) + " " + std::to_string(p.changes);
        }
        return out;
      }};
}

OptionDef bool_option(std::string_view name, bool ServerConfig::*field) {
  return OptionDef{
      name, false,
      [=](ServerConfig* c, std::span<const std::string> args) -> std::optional<std::string> {
        if (equals_ignore_case(args[0], "yes")) {
          c->*field = true;
        } else if (equals_ignore_case(args[0], "no")) {
          c->*field = false;
        } else {
          return "argument must be 'yes' or 'no'";
        }
        return std::nullopt;
      },
      [=](const ServerConfig& c) { return std::string(c.*field ? "yes" : "no"); }};
}

OptionDef string_option(std::string_view name, std::string ServerConfig::*field) {
  return OptionDef{
      name, false,
      [=](ServerConfig* c, std::span<const std::string> args) -> std::optional<std::string> {
        c->*field = args[0];
        return std::nullopt;
      },
      [=](const ServerConfig& c) { return c.*field; }};
}

constexpr LogLevel kLogLevels[] = {LogLevel::kDebug, LogLevel::kVerbose, LogLevel::kNotice,
                                   LogLevel::kWarning};

OptionDef loglevel_option() {
  return OptionDef{
      "loglevel", false,
      [](ServerConfig* c, std::span<const std::string> args) -> std::optional<std::string> {
        for (LogLevel level : kLogLevels) {
          if (equals_ignore_case(args[0], log_level_name(level))) {
            c->loglevel = level;
            return std::nullopt;
          }
        }
        return "argument(s) must be one of the following: debug, verbose, notice, warning";
      },
      [](const ServerConfig& c) { return std::string(log_level_name(c.loglevel)); }};
}

OptionDef bind_option() {
  return OptionDef{
      "bind", true,
      [](ServerConfig* c, std::span<const std::string> args) -> std::optional<std::string> {
        if (args.empty()) return "wrong number of arguments";
        if (args.size() > kMaxBindAddresses) return "Too many bind addresses specified.";
        // `bind ""` listens on no address, as in redis.
        if (args.size() == 1 && args[0].empty()) {
          c->bind.clear();
        } else {
          c->bind.assign(args.begin(), args.end());
        }
        return std::nullopt;
      },
      [](const ServerConfig& c) {
        std::string out;
        for (const std::string& a : c.bind) {
          if (!out.empty()) out += ' ';
          out += a;
        }
        return out;
      }};
}

// appendfilename / appenddirname: a name in `dir`, not a path (as Redis 7.0).
OptionDef aof_name_option(std::string_view name, std::string ServerConfig::*field,
                          std::string_view error) {
  OptionDef def = string_option(name, field);
  def.set = [field, error](ServerConfig* c,
                           std::span<const std::string> args) -> std::optional<std::string> {
    if (args[0].find('/') != std::string::npos) return std::string(error);
    c->*field = args[0];
    return std::nullopt;
  };
  return def;
}

// requirepass: the default user's password ("" = nopass); the ACL applies it (server/acl.h).
OptionDef requirepass_option() { return string_option("requirepass", &ServerConfig::requirepass); }

// client-output-buffer-limit <class> <hard> <soft> <soft-seconds> ...: classes normal,
// replica (slave), pubsub; all groups are checked before any is applied (Redis 7.0's
// setConfigClientOutputBufferLimitOption).
OptionDef obuf_limit_option() {
  return OptionDef{
      "client-output-buffer-limit", true,
      [](ServerConfig* c, std::span<const std::string> args) -> std::optional<std::string> {
        if (args.size() % 4 != 0 || args.empty()) {
          return "Wrong number of arguments in buffer limit configuration.";
        }
        ServerConfig next = *c;
        for (size_t j = 0; j < args.size(); j += 4) {
          ServerConfig::OutputBufferLimit* target = nullptr;
          if (equals_ignore_case(args[j], "normal")) {
            target = &next.obuf_normal;
          } else if (equals_ignore_case(args[j], "replica") ||
                     equals_ignore_case(args[j], "slave")) {
            target = &next.obuf_replica;
          } else if (equals_ignore_case(args[j], "pubsub")) {
            target = &next.obuf_pubsub;
          } else {
            return "Invalid client class specified in buffer limit configuration.";
          }
          std::optional<uint64_t> hard = parse_memory(args[j + 1]);
          std::optional<uint64_t> soft = parse_memory(args[j + 2]);
          char* end = nullptr;
          long long secs = std::strtoll(args[j + 3].c_str(), &end, 10);
          if (!hard || !soft || secs < 0 || *end != '\0') {
            return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
          }
          *target = {*hard, *soft, secs};
        }
        c->obuf_normal = next.obuf_normal;
        c->obuf_replica = next.obuf_replica;
        c->obuf_pubsub = next.obuf_pubsub;
        return std::nullopt;
      },
      [](const ServerConfig& c) {
        auto group = [](std::string_view name, const ServerConfig::OutputBufferLimit& l) {
          return std::string(name) + " " + std::to_string(l.hard) + " " + std::to_string(l.soft) +
                 " " + std::to_string(l.soft_seconds);
        };
        return group("normal", c.obuf_normal) + " " + group("slave", c.obuf_replica) + " " +
               group("pubsub", c.obuf_pubsub);
      }};
}

// dbfilename: a file name in `dir`, not a path (as Redis).
OptionDef dbfilename_option() {
  OptionDef def = string_option("dbfilename", &ServerConfig::dbfilename);
  def.set = [](ServerConfig* c, std::span<const std::string> args) -> std::optional<std::string> {
    if (args[0].find('/') != std::string::npos) {
      return "dbfilename can't be a path, just a filename";
    }
    c->dbfilename = args[0];
    return std::nullopt;
  };
  return def;
}

// hz: any value 0..INT_MAX is accepted and clamped to 1..500, as Redis's updateHZ does.
OptionDef hz_option() {
  OptionDef def = integer_option("hz", &ServerConfig::hz, 0, INT_MAX);
  SetFn parse = def.set;
  def.set = [parse](ServerConfig* c,
                    std::span<const std::string> args) -> std::optional<std::string> {
    if (std::optional<std::string> e = parse(c, args)) return e;
    c->hz = std::clamp<int64_t>(c->hz, 1, 500);
    return std::nullopt;
  };
  return def;
}

struct NotifyLetter {
  char letter;
  int flag;
};
// Parse order (keyspaceEventsStringToFlags) and print order (keyspaceEventsFlagsToString) of
// Redis 7.0: class letters, then K E m.
constexpr NotifyLetter kNotifyClasses[] = {
    {'g', kNotifyGeneric}, {'$', kNotifyString}, {'l', kNotifyList},    {'s', kNotifySet},
    {'h', kNotifyHash},    {'z', kNotifyZset},   {'x', kNotifyExpired}, {'e', kNotifyEvicted},
    {'t', kNotifyStream},  {'d', kNotifyModule}, {'n', kNotifyNew}};
constexpr NotifyLetter kNotifyTargets[] = {
    {'K', kNotifyKeyspace}, {'E', kNotifyKeyevent}, {'m', kNotifyKeyMiss}};

OptionDef notify_option() {
  return OptionDef{
      "notify-keyspace-events", false,
      [](ServerConfig* c, std::span<const std::string> args) -> std::optional<std::string> {
        int flags = 0;
        for (char ch : args[0]) {
          int f = ch == 'A' ? kNotifyAll : 0;
          for (const NotifyLetter& l : kNotifyClasses) f |= l.letter == ch ? l.flag : 0;
          for (const NotifyLetter& l : kNotifyTargets) f |= l.letter == ch ? l.flag : 0;
          if (f == 0) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
          flags |= f;
        }
        c->notify_keyspace_events = flags;
        return std::nullopt;
      },
      [](const ServerConfig& c) {
        int flags = c.notify_keyspace_events;
        std::string out;
        if ((flags & kNotifyAll) == kNotifyAll) {
          out += 'A';
        } else {
          for (const NotifyLetter& l : kNotifyClasses) {
            if (flags & l.flag) out += l.letter;
          }
        }
        for (const NotifyLetter& l : kNotifyTargets) {
          if (flags & l.flag) out += l.letter;
        }
        return out;
      }};
}

// The option table. Ranges are redis 7.0's where redis has the option.
const std::vector<OptionDef>& options() {
  static const std::vector<OptionDef> table = {
      // Listeners, threads, databases and the heap are set up once, at start-up.
      immutable(bind_option()),
      immutable(integer_option("port", &ServerConfig::port, 0, 65535)),
      integer_option("timeout", &ServerConfig::timeout, 0, INT_MAX),
      integer_option("tcp-keepalive", &ServerConfig::tcp_keepalive, 0, INT_MAX),
      immutable(integer_option("workers", &ServerConfig::workers, 0, kMaxWorkers)),
      integer_option("maxclients", &ServerConfig::maxclients, 1, UINT_MAX),
      immutable(integer_option("databases", &ServerConfig::databases, 1, INT_MAX)),
      immutable(bool_option("daemonize", &ServerConfig::daemonize)),
      string_option("logfile", &ServerConfig::logfile),
      loglevel_option(),
      string_option("dir", &ServerConfig::dir),
      memory_option("proto-max-bulk-len", &ServerConfig::proto_max_bulk_len, uint64_t{1} << 20,
                    INT64_MAX),
      memory_option("client-query-buffer-limit", &ServerConfig::client_query_buffer_limit,
                    uint64_t{1} << 20, INT64_MAX),
      immutable(memory_option("heap-size", &ServerConfig::heap_size, uint64_t{1} << 20,
                              uint64_t{1} << 45)),
      integer_option("stm-inevitable-after", &ServerConfig::stm_inevitable_after, 0, 1000000),
      bool_option("stm-reshare", &ServerConfig::stm_reshare),
      // Persistence.
      save_option(),
      dbfilename_option(),
      bool_option("rdbcompression", &ServerConfig::rdbcompression),
      bool_option("rdbchecksum", &ServerConfig::rdbchecksum),
      bool_option("appendonly", &ServerConfig::appendonly),
      enum_option("appendfsync", &ServerConfig::appendfsync, {"everysec", "always", "no"}),
      immutable(aof_name_option("appendfilename", &ServerConfig::appendfilename,
                                "appendfilename can't be a path, just a filename")),
      immutable(aof_name_option("appenddirname", &ServerConfig::appenddirname,
                                "appenddirname can't be a path, just a dirname")),
      bool_option("no-appendfsync-on-rewrite", &ServerConfig::no_appendfsync_on_rewrite),
      integer_option("auto-aof-rewrite-percentage", &ServerConfig::auto_aof_rewrite_percentage, 0,
                     INT_MAX),
      memory_option("auto-aof-rewrite-min-size", &ServerConfig::auto_aof_rewrite_min_size, 0,
                    LLONG_MAX),
      bool_option("aof-load-truncated", &ServerConfig::aof_load_truncated),
      bool_option("aof-use-rdb-preamble", &ServerConfig::aof_use_rdb_preamble),
      bool_option("aof-rewrite-incremental-fsync", &ServerConfig::aof_rewrite_incremental_fsync),
      bool_option("aof-timestamp-enabled", &ServerConfig::aof_timestamp_enabled),
      // Memory.
      memory_option("maxmemory", &ServerConfig::maxmemory, 0, UINT64_MAX),
      enum_option("maxmemory-policy", &ServerConfig::maxmemory_policy,
                  {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
                   "allkeys-lfu", "allkeys-random", "noeviction"}),
      integer_option("maxmemory-samples", &ServerConfig::maxmemory_samples, 1, INT_MAX),
      integer_option("maxmemory-eviction-tenacity", &ServerConfig::maxmemory_eviction_tenacity,
                     0, 100),
      integer_option("lfu-log-factor", &ServerConfig::lfu_log_factor, 0, INT_MAX),
      integer_option("lfu-decay-time", &ServerConfig::lfu_decay_time, 0, INT_MAX),
      bool_option("lazyfree-lazy-eviction", &ServerConfig::lazyfree_lazy_eviction),
      bool_option("lazyfree-lazy-expire", &ServerConfig::lazyfree_lazy_expire),
      bool_option("lazyfree-lazy-server-del", &ServerConfig::lazyfree_lazy_server_del),
      bool_option("lazyfree-lazy-user-del", &ServerConfig::lazyfree_lazy_user_del),
      bool_option("lazyfree-lazy-user-flush", &ServerConfig::lazyfree_lazy_user_flush),
      // Data types.
      integer_option("list-max-listpack-size", &ServerConfig::list_max_listpack_size, INT_MIN,
                     INT_MAX),
      alias("list-max-ziplist-size",
            integer_option("list-max-listpack-size", &ServerConfig::list_max_listpack_size, INT_MIN,
                           INT_MAX)),
      integer_option("list-compress-depth", &ServerConfig::list_compress_depth, 0, INT_MAX),
      integer_option("hash-max-listpack-entries", &ServerConfig::hash_max_listpack_entries, 0,
                     INT64_MAX),
      alias("hash-max-ziplist-entries",
            integer_option("hash-max-listpack-entries", &ServerConfig::hash_max_listpack_entries, 0,
                           INT64_MAX)),
      memory_option("hash-max-listpack-value", &ServerConfig::hash_max_listpack_value, 0,
                    INT64_MAX),
      alias("hash-max-ziplist-value",
            memory_option("hash-max-listpack-value", &ServerConfig::hash_max_listpack_value, 0,
                          INT64_MAX)),
      integer_option("set-max-intset-entries", &ServerConfig::set_max_intset_entries, 0, INT64_MAX),
      integer_option("set-max-listpack-entries", &ServerConfig::set_max_listpack_entries, 0,
                     INT64_MAX),
      memory_option("set-max-listpack-value", &ServerConfig::set_max_listpack_value, 0, INT64_MAX),
      integer_option("zset-max-listpack-entries", &ServerConfig::zset_max_listpack_entries, 0,
                     INT64_MAX),
      alias("zset-max-ziplist-entries",
            integer_option("zset-max-listpack-entries", &ServerConfig::zset_max_listpack_entries, 0,
                           INT64_MAX)),
      memory_option("zset-max-listpack-value", &ServerConfig::zset_max_listpack_value, 0,
                    INT64_MAX),
      alias("zset-max-ziplist-value",
            memory_option("zset-max-listpack-value", &ServerConfig::zset_max_listpack_value, 0,
                          INT64_MAX)),
      memory_option("hll-sparse-max-bytes", &ServerConfig::hll_sparse_max_bytes, 0, LONG_MAX),
      // Server.
      hz_option(),
      integer_option("slowlog-log-slower-than", &ServerConfig::slowlog_log_slower_than, -1,
                     INT64_MAX),
      integer_option("slowlog-max-len", &ServerConfig::slowlog_max_len, 0, INT64_MAX),
      integer_option("latency-monitor-threshold", &ServerConfig::latency_monitor_threshold, 0,
                     INT64_MAX),
      integer_option("busy-reply-threshold", &ServerConfig::busy_reply_threshold, 0, INT64_MAX),
      alias("lua-time-limit", integer_option("busy-reply-threshold",
                                             &ServerConfig::busy_reply_threshold, 0, INT64_MAX)),
      notify_option(),
      requirepass_option(),
      immutable(string_option("aclfile", &ServerConfig::aclfile)),
      integer_option("acllog-max-len", &ServerConfig::acllog_max_len, 0, LONG_MAX),
      obuf_limit_option(),
      bool_option("protected-mode", &ServerConfig::protected_mode),
      immutable(enum_option("enable-debug-command", &ServerConfig::enable_debug_command,
                            {"no", "yes", "local"})),
  };
  return table;
}

const OptionDef* find_option(std::string_view name) {
  for (const OptionDef& def : options()) {
    if (equals_ignore_case(def.name, name)) return &def;
  }
  return nullptr;
}

// Reads a whole file; on failure returns the redis-style error.
std::optional<ConfigError> read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    return ConfigError{0, "",
                       "Fatal error, can't open config file '" + path +
                           "': " + std::strerror(err != 0 ? err : ENOENT)};
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  *out = buf.str();
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kBlank = " \t\r\n";
  size_t b = s.find_first_not_of(kBlank);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kBlank);
  return s.substr(b, e - b + 1);
}

// What one load (a file with its includes and the command line) has seen so far.
struct LoadState {
  bool save_loaded = false;  // a save line was read: later ones add to it
};

// Applies one directive's arguments, as a config file line: a multi-argument option given one
// non-empty argument has it split like a line; save lines after the first add their points.
std::optional<std::string> apply_directive(const OptionDef& def, std::vector<std::string> args,
                                           ServerConfig* config, LoadState* state) {
  if (!def.multi_arg && args.size() != 1) return "wrong number of arguments";
  if (def.multi_arg && args.size() == 1 && !args[0].empty()) {
    std::optional<std::vector<std::string>> parts = split_config_args(args[0]);
    if (!parts) return "Unbalanced quotes in configuration line";
    args = std::move(*parts);
  }
  if (def.name != "save") return def.set(config, args);
  std::vector<SavePoint> before = config->save;
  if (std::optional<std::string> e = def.set(config, args)) return e;
  bool clears = args.size() == 1 && args[0].empty();
  if (state->save_loaded && !clears) {
    before.insert(before.end(), config->save.begin(), config->save.end());
    config->save = std::move(before);
  }
  state->save_loaded = true;
  return std::nullopt;
}

std::optional<ConfigError> load_text(std::string_view text, ServerConfig* config, int depth,
                                     LoadState* state) {
  int line_number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    line_number++;
    if (line.empty() || line[0] == '#') continue;

    auto error = [&](std::string message) {
      return ConfigError{line_number, std::string(line), std::move(message)};
    };
    std::optional<std::vector<std::string>> argv = split_config_args(line);
    if (!argv) return error("Unbalanced quotes in configuration line");
    if (argv->empty()) continue;
    const std::string& name = (*argv)[0];
    std::span<const std::string> args(argv->data() + 1, argv->size() - 1);

    if (equals_ignore_case(name, "include") && args.size() == 1) {
      if (depth >= kMaxIncludeDepth) return error("include nesting is too deep");
      std::string included;
      if (auto e = read_file(args[0], &included)) return e;
      if (auto e = load_text(included, config, depth + 1, state)) return e;
      continue;
    }
    // `user <name> <rule>...`: kept for the ACL (server/acl.h), which checks the rules.
    if (equals_ignore_case(name, "user") && !args.empty()) {
      config->user_directives.emplace_back(args.begin(), args.end());
      continue;
    }
    const OptionDef* def = find_option(name);
    if (def == nullptr) return error("Bad directive or wrong number of arguments");
    std::vector<std::string> values(args.begin(), args.end());
    if (std::optional<std::string> e = apply_directive(*def, std::move(values), config, state)) {
      return error(std::move(*e));
    }
  }
  return std::nullopt;
}

}  // namespace

CommandLine parse_command_line(std::span<const std::string> args) {
  CommandLine cl;
  size_t j = 0;
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
    cl.config_file = args[0];
    j = 1;
  }
  // Mirrors redis 7.0's main(): an argument starting with "--" names an option unless the
  // previous option still has no value, in which case it is that value.
  bool last_option_has_value = true;
  std::string& options = cl.overrides;
  for (; j < args.size(); j++) {
    const std::string& arg = args[j];
    bool is_last = j + 1 == args.size();
    if (arg == "-" && (j == 0 || is_last)) {
      cl.config_from_stdin = true;
    } else if (last_option_has_value && arg.size() >= 2 && arg[0] == '-' && arg[1] == '-') {
      if (!options.empty()) options += '\n';
      options.append(arg, 2);
      options += ' ';
      std::optional<std::vector<std::string>> parts = split_config_args(arg);
      if (parts && parts->size() == 1) {
        // Only a name, like "--port": its value follows. `--save` without a value means "".
        last_option_has_value = false;
        bool next_is_option =
            !is_last && args[j + 1].size() >= 2 && args[j + 1][0] == '-' && args[j + 1][1] == '-';
        if (equals_ignore_case(arg, "--save") && (is_last || next_is_option)) {
          options += "\"\"";
          last_option_has_value = true;
        }
      } else {
        // Name and value in one argument, like "--port 6380".
        last_option_has_value = true;
      }
    } else {
      options += quote_config_arg(arg);
      options += ' ';
      last_option_has_value = true;
    }
  }
  return cl;
}

std::optional<ConfigError> load_config(const CommandLine& cl, ServerConfig* config) {
  std::string text;
  if (!cl.config_file.empty()) {
    if (auto e = read_file(cl.config_file, &text)) return e;
  }
  if (cl.config_from_stdin) {
    text.append(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  if (!cl.overrides.empty()) {
    text += '\n';
    text += cl.overrides;
  }
  LoadState state;
  return load_text(text, config, 0, &state);
}

std::optional<ConfigError> load_config_from_string(std::string_view text, ServerConfig* config) {
  LoadState state;
  return load_text(text, config, 0, &state);
}

std::string format_config_error(const ConfigError& error) {
  if (error.line == 0) return error.message + "\n";
  std::string out = "\n*** FATAL CONFIG FILE ERROR (stmkv " STMKV_VERSION ") ***\n";
  out += "Reading the configuration file, at line " + std::to_string(error.line) + "\n";
  out += ">>> '" + error.line_text + "'\n";
  out += error.message + "\n";
  return out;
}

std::optional<std::string> set_config_option(ServerConfig* config, std::string_view name,
                                             std::span<const std::string> args) {
  const OptionDef* def = find_option(name);
  if (def == nullptr) return "Unknown option or number of arguments for CONFIG SET";
  if (!def->multi_arg && args.size() != 1) return "wrong number of arguments";
  // Every setter validates before it writes its own field, and writes nothing else.
  return def->set(config, args);
}

std::optional<std::string> set_config_option_value(ServerConfig* config, std::string_view name,
                                                   std::string_view value) {
  const OptionDef* def = find_option(name);
  if (def == nullptr || !def->multi_arg) {
    std::vector<std::string> one{std::string(value)};
    return set_config_option(config, name, one);
  }
  // sdssplitlen(value, " "): "" gives no arguments, "a  b" gives "a", "", "b".
  std::vector<std::string> args;
  for (size_t pos = 0; !value.empty() && pos <= value.size();) {
    size_t sp = value.find(' ', pos);
    if (sp == std::string_view::npos) sp = value.size();
    args.emplace_back(value.substr(pos, sp - pos));
    pos = sp + 1;
  }
  // Every setter validates before it writes its own field, and writes nothing else.
  return def->set(config, args);
}

std::optional<std::string_view> config_option_canonical_name(std::string_view name) {
  const OptionDef* def = find_option(name);
  if (def == nullptr) return std::nullopt;
  return def->canonical.empty() ? def->name : def->canonical;
}

bool config_option_immutable(std::string_view name) {
  const OptionDef* def = find_option(name);
  return def != nullptr && def->immutable;
}

std::optional<std::string> get_config_option(const ServerConfig& config, std::string_view name) {
  const OptionDef* def = find_option(name);
  if (def == nullptr) return std::nullopt;
  return def->get(config);
}

std::vector<std::string_view> config_option_names() {
  std::vector<std::string_view> names;
  for (const OptionDef& def : options()) names.push_back(def.name);
  return names;
}

std::optional<std::vector<std::string>> split_config_args(std::string_view line) {
  // sdssplitargs works on a C string: reading past the end yields '\0'.
  auto at = [&](size_t i) { return i < line.size() ? line[i] : '\0'; };
  auto hex_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<std::string> out;
  size_t p = 0;
  while (true) {
    while (at(p) != '\0' && is_space(at(p))) p++;
    if (at(p) == '\0') return out;
    std::string current;
    bool in_double = false, in_single = false, done = false;
    while (!done) {
      char c = at(p);
      if (in_double) {
        if (c == '\\' && at(p + 1) == 'x' && hex_value(at(p + 2)) >= 0 &&
            hex_value(at(p + 3)) >= 0) {
          current += static_cast<char>(hex_value(at(p + 2)) * 16 + hex_value(at(p + 3)));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          p++;
          switch (at(p)) {
            case 'n': current += '\n'; break;
            case 'r': current += '\r'; break;
            case 't': current += '\t'; break;
            case 'b': current += '\b'; break;
            case 'a': current += '\a'; break;
            default: current += at(p); break;
          }
        } else if (c == '"') {
          // A closing quote must be followed by a space or the end.
          if (at(p + 1) != '\0' && !is_space(at(p + 1))) return std::nullopt;
          done = true;
        } else if (c == '\0') {
          return std::nullopt;  // unterminated quotes
        } else {
          current += c;
        }
      } else if (in_single) {
        if (c == '\\' && at(p + 1) == '\'') {
          p++;
          current += '\'';
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !is_space(at(p + 1))) return std::nullopt;
          done = true;
        } else if (c == '\0') {
          return std::nullopt;
        } else {
          current += c;
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0': done = true; break;
          case '"': in_double = true; break;
          case '\'': in_single = true; break;
          default: current += c; break;
        }
      }
      if (at(p) != '\0') p++;
    }
    out.push_back(std::move(current));
  }
}

std::string quote_config_arg(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      default:
        if (std::isprint(static_cast<unsigned char>(c))) {
          out += c;
        } else {
          unsigned char u = static_cast<unsigned char>(c);
          out += "\\x";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        }
        break;
    }
  }
  out += '"';
  return out;
}

std::optional<uint64_t> parse_memory(std::string_view s) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') digits++;
  if (digits == 0 || digits > 20) return std::nullopt;
  std::string_view unit = s.substr(digits);
  uint64_t mul;
  if (unit.empty() || equals_ignore_case(unit, "b")) {
    mul = 1;
  } else if (equals_ignore_case(unit, "k")) {
    mul = 1000;
  } else if (equals_ignore_case(unit, "kb")) {
    mul = 1024;
  } else if (equals_ignore_case(unit, "m")) {
    mul = 1000 * 1000;
  } else if (equals_ignore_case(unit, "mb")) {
    mul = 1024 * 1024;
  } else if (equals_ignore_case(unit, "g")) {
    mul = 1000ull * 1000 * 1000;
  } else if (equals_ignore_case(unit, "gb")) {
    mul = 1024ull * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < digits; i++) {
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  if (v > UINT64_MAX / mul) return std::nullopt;
  return v * mul;
}

int effective_workers(const ServerConfig& config) {
  int n = config.workers;
  if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(n, 1, kMaxWorkers);
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kVerbose: return "verbose";
    case LogLevel::kNotice: return "notice";
    case LogLevel::kWarning: return "warning";
  }
  return "notice";
}

}  // namespace stmkv
