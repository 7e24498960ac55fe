// server/config.h — the server's configuration: a redis.conf-style file plus command-line
// overrides, read the way redis-server 7.0 reads them.
//
// Text format (as redis.conf): one directive per line, `name arg...`; names are case-insensitive;
// blank lines and lines starting with '#' are skipped; arguments are split like redis's
// sdssplitargs ("double quotes" with \n \xHH escapes, 'single quotes'). A later directive
// overrides an earlier one. `include path` reads another file at that point.
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

// The value of one option as CONFIG GET prints it (sizes in bytes, booleans yes/no); nullopt for
// an unknown name.
std::optional<std::string> get_config_option(const ServerConfig& config, std::string_view name);

// The names of all options, in table order.
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
