// server/config.h — the server's configuration: a redis.conf-style file plus command-line
// overrides, read the way redis-server 7.0 reads them.
//
// Text format (as redis.conf): one directive per line, `name arg...`; names are case-insensitive;
// blank lines and lines starting with '#' are skipped; arguments are split like redis's
// sdssplitargs ("double quotes" with \n \xHH escapes, 'single quotes'). A later directive
// overrides an earlier one, except `save`: the save lines of a load accumulate, as in redis.conf
// (`save ""` clears them). An option that takes several arguments (save, bind) given one
// non-empty argument has it split like a line ("3600 1 300 100"). `include path` reads another
// file at that point.
//
// Command line (as redis-server): `stmkv-server [configfile] [-] [--name value...]`. Options after
// the file are appended to its text as `name value` lines, so they override it; `-` reads more
// configuration from stdin.
//
// Nothing here is thread-safe; it runs once at start-up, before the workers start.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stmkv {

enum class LogLevel { kDebug, kVerbose, kNotice, kWarning };

// One `save <seconds> <changes>` point: snapshot after seconds if at least changes writes.
struct SavePoint {
  int64_t seconds = 0;
  int64_t changes = 0;
  bool operator==(const SavePoint&) const = default;
};

// Redis's keyspace notification classes (notify-keyspace-events letters).
enum NotifyFlags : int {
  kNotifyKeyspace = 1 << 0,  // K
  kNotifyKeyevent = 1 << 1,  // E
  kNotifyGeneric = 1 << 2,   // g
  kNotifyString = 1 << 3,    // $
  kNotifyList = 1 << 4,      // l
  kNotifySet = 1 << 5,       // s
  kNotifyHash = 1 << 6,      // h
  kNotifyZset = 1 << 7,      // z
  kNotifyExpired = 1 << 8,   // x
  kNotifyEvicted = 1 << 9,   // e
  kNotifyStream = 1 << 10,   // t
  kNotifyKeyMiss = 1 << 11,  // m (not part of A)
  kNotifyModule = 1 << 12,   // d
  kNotifyNew = 1 << 13,      // n (not part of A)
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,  // A
};

// Every setting of the server. The defaults are those of conf/stmkv.conf.
struct ServerConfig {
  // --- Network ---
  std::vector<std::string> bind = {"127.0.0.1"};  // addresses to listen on
  int port = 6379;                                // TCP port; 0 = do not listen on TCP
  int64_t timeout = 0;                            // idle client timeout, seconds; 0 = never
  int64_t tcp_keepalive = 300;                    // SO_KEEPALIVE interval, seconds; 0 = off
  // --- Threads and clients ---
  int workers = 0;             // worker threads; 0 = one per core (see effective_workers)
  int64_t maxclients = 10000;  // connected clients at most
  int64_t databases = 16;      // logical databases (SELECT 0..databases-1)
  // --- Process ---
  bool daemonize = false;
  std::string logfile;  // empty = standard output
  LogLevel loglevel = LogLevel::kNotice;
  std::string dir = "./";  // working directory for RDB/AOF files
  // --- Protocol limits (bytes) ---
  int64_t proto_max_bulk_len = int64_t{512} << 20;
  int64_t client_query_buffer_limit = int64_t{1} << 30;
  // --- STM engine ---
  int64_t heap_size = int64_t{16} << 30;  // heap address space, bytes (sparse)
  int64_t stm_inevitable_after = 8;       // aborts before a transaction runs inevitable
  bool stm_reshare = true;                // re-share cold private pages
  // --- Persistence (RDB: persist/persistence.h) ---
  std::vector<SavePoint> save = {{3600, 1}, {300, 100}, {60, 10000}};
  std::string dbfilename = "dump.rdb";   // the RDB file, in `dir`
  bool rdbcompression = true;            // LZF-compress strings in RDB files
  bool rdbchecksum = true;               // CRC-64 at the end of RDB files (checked on load)
  // --- AOF (persist/aof.h; Redis 7.0's names and defaults) ---
  bool appendonly = false;                      // CONFIG SET yes writes a base first
  std::string appendfsync = "everysec";         // always | everysec | no
  std::string appendfilename = "appendonly.aof";  // files' name prefix, in appenddirname
  std::string appenddirname = "appendonlydir";    // the AOF directory, in `dir`
  bool no_appendfsync_on_rewrite = false;
  int64_t auto_aof_rewrite_percentage = 100;    // growth over the base that triggers a rewrite
  int64_t auto_aof_rewrite_min_size = int64_t{64} << 20;  // bytes
  bool aof_load_truncated = true;
  bool aof_use_rdb_preamble = true;             // base as RDB (.base.rdb), else commands
  bool aof_rewrite_incremental_fsync = true;
  bool aof_timestamp_enabled = false;           // accepted; no annotations written
  // --- Memory (server/eviction.h) ---
  uint64_t maxmemory = 0;                       // bytes; 0 = no limit
  std::string maxmemory_policy = "noeviction";  // noeviction, allkeys-lru, ... (CONFIG SET list)
  int64_t maxmemory_samples = 5;
  int64_t maxmemory_eviction_tenacity = 10;     // 0..100: time budget of one eviction pass
  int64_t lfu_log_factor = 10;
  int64_t lfu_decay_time = 1;                   // minutes per counter decrement
  bool lazyfree_lazy_eviction = false;
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  bool lazyfree_lazy_user_del = false;
  bool lazyfree_lazy_user_flush = false;
  // --- Data types: compact-encoding thresholds (Redis 7.0's names and defaults) ---
  int64_t list_max_listpack_size = -2;  // >0: entries per node; -1..-5: 4k..64k bytes per node
  int64_t list_compress_depth = 0;      // uncompressed nodes at each end; 0 = none compressed
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;  // bytes
  int64_t set_max_intset_entries = 512;
  int64_t set_max_listpack_entries = 128;  // Redis 7.2
  int64_t set_max_listpack_value = 64;     // Redis 7.2; bytes
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;  // bytes
  int64_t hll_sparse_max_bytes = 3000;   // HyperLogLog sparse encoding up to this size
  // --- Server ---
  int64_t hz = 10;                           // background task frequency, clamped to 1..500
  int64_t slowlog_log_slower_than = 10000;   // microseconds; -1 = off (stored only)
  int64_t slowlog_max_len = 128;             // (stored only)
  int64_t latency_monitor_threshold = 0;     // milliseconds; 0 = off (stored only)
  // Milliseconds a script runs before SCRIPT KILL / FUNCTION KILL take effect (alias
  // lua-time-limit; 0 = at once). Other workers keep serving clients meanwhile.
  int64_t busy_reply_threshold = 5000;
  int notify_keyspace_events = 0;            // kNotify* bits (stored only)
  std::string requirepass;                   // the default user's password; "" = nopass
  bool protected_mode = true;                // no password: loopback clients only
  // --- ACL (server/acl.h) ---
  std::string aclfile;            // users file for ACL LOAD / SAVE; empty = none
  int64_t acllog_max_len = 128;   // ACL LOG entries kept
  // `user <name> <rule>...` lines of the configuration file, in order (arguments after `user`).
  std::vector<std::vector<std::string>> user_directives;
  // client-output-buffer-limit: per class, hard limit, soft limit (bytes, 0 = none) and the
  // seconds a client may stay over the soft limit.
  struct OutputBufferLimit {
    uint64_t hard = 0;
    uint64_t soft = 0;
    int64_t soft_seconds = 0;
    bool operator==(const OutputBufferLimit&) const = default;
  };
  OutputBufferLimit obuf_normal{};
  OutputBufferLimit obuf_replica{uint64_t{256} << 20, uint64_t{64} << 20, 60};
  OutputBufferLimit obuf_pubsub{uint64_t{32} << 20, uint64_t{8} << 20, 60};
  std::string enable_debug_command = "yes";  // no | yes | local: who may run DEBUG
};

// The most worker threads the engine supports (segments of one heap).
inline constexpr int kMaxWorkers = 63;

// Where a configuration failed. line is 1-based in the text being read (the file's text followed
// by the command-line overrides); 0 when the failure is not about a line (e.g. an unreadable file).
struct ConfigError {
  int line = 0;
  std::string line_text;  // the offending line, trimmed
  std::string message;    // e.g. "Bad directive or wrong number of arguments"
};

// What the command line asks for, before any file is read.
struct CommandLine {
  std::string config_file;         // empty: no file
  bool config_from_stdin = false;  // '-' given as first or last argument
  std::string overrides;           // `name value` lines built from --name value arguments
};

// Splits args (argv without argv[0]) exactly as redis-server 7.0 does: a first argument not
// starting with '-' is the config file; `--name v1 v2` becomes the line `name "v1" "v2"`.
CommandLine parse_command_line(std::span<const std::string> args);

// Reads the file and stdin that cl names, appends cl.overrides, and applies the result to *config.
// Returns nullopt on success; on error *config may be partly updated.
std::optional<ConfigError> load_config(const CommandLine& cl, ServerConfig* config);

// Applies redis.conf-style text to *config. Returns nullopt on success, else the first error
// (*config keeps the directives before it).
std::optional<ConfigError> load_config_from_string(std::string_view text, ServerConfig* config);

// The message redis-server prints for a fatal configuration error, ending in a newline:
// "\n*** FATAL CONFIG FILE ERROR (stmkv X.Y.Z) ***\nReading the configuration file, at line N\n
// >>> 'line'\nmessage\n".
std::string format_config_error(const ConfigError& error);

// Sets one option from its arguments (as CONFIG SET would). Returns nullopt on success, else the
// error message, e.g. "argument must be 'yes' or 'no'"; *config is unchanged on error.
std::optional<std::string> set_config_option(ServerConfig* config, std::string_view name,
                                             std::span<const std::string> args);

// CONFIG SET's form: value is one string; options taking several arguments (save, bind) split
// it on single spaces as Redis 7.0 does. Same result and errors as set_config_option.
std::optional<std::string> set_config_option_value(ServerConfig* config, std::string_view name,
                                                   std::string_view value);

// The primary name of an option given its name or an alias (list-max-ziplist-size ->
// list-max-listpack-size), case-insensitively; nullopt for an unknown name.
std::optional<std::string_view> config_option_canonical_name(std::string_view name);

// Whether CONFIG SET refuses the option ("can't set immutable config"): it is read at start-up
// only. False for unknown names.
bool config_option_immutable(std::string_view name);

// The value of one option as CONFIG GET prints it (sizes in bytes, booleans yes/no); nullopt for
// an unknown name.
std::optional<std::string> get_config_option(const ServerConfig& config, std::string_view name);

// The names of all options, aliases included (as CONFIG GET * lists them), in table order.
std::vector<std::string_view> config_option_names();

// Splits one configuration line into arguments like redis's sdssplitargs. Returns nullopt when
// quotes are unbalanced or a closing quote is not followed by a space.
std::optional<std::vector<std::string>> split_config_args(std::string_view line);

// Quotes s as redis's sdscatrepr does ("..." with \n, \xHH, ... escapes), so that
// split_config_args reads it back as one argument equal to s.
std::string quote_config_arg(std::string_view s);

// Parses a size as redis does (memtoull): digits with an optional case-insensitive unit
// b, k (1000), kb (1024), m (1000^2), mb (1024^2), g (1000^3), gb (1024^3). Returns nullopt for
// anything else, negative numbers, and overflow.
std::optional<uint64_t> parse_memory(std::string_view s);

// The number of worker threads to start: config.workers, or the number of cores when it is 0,
// capped at kMaxWorkers.
int effective_workers(const ServerConfig& config);

// Name of a log level as written in the config file ("notice").
std::string_view log_level_name(LogLevel level);

}  // namespace stmkv
