// net/log.h — the server log, in redis-server's line format:
//   "<pid>:M 09 Jan 2024 10:00:00.123 * Ready to accept connections tcp"
// (level marks: '.' debug, '-' verbose, '*' notice, '#' warning).
//
// Thread-safe: any thread may log. Lines go to the configured logfile (appended), or to standard
// output when it is empty. Never call from inside an STM transaction (use an on-commit hook).
#pragma once

#include <string_view>

#include "server/config.h"

namespace stmkv {

// Sets where lines go and the least level written. Call once at start-up (before the workers
// start); returns false, with errno set, if the logfile cannot be opened.
bool log_init(const ServerConfig& config);

// Writes one line if level is at least the configured level.
void server_log(LogLevel level, std::string_view message);

}  // namespace stmkv
