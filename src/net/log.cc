#include "net/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace stmkv {

namespace {

std::mutex g_log_mu;
FILE* g_log_file = nullptr;  // nullptr: stdout
LogLevel g_min_level = LogLevel::kNotice;

char level_mark(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return '.';
    case LogLevel::kVerbose: return '-';
    case LogLevel::kNotice: return '*';
    case LogLevel::kWarning: return '#';
  }
  return '*';
}

}  // namespace

bool log_init(const ServerConfig& config) {
  std::lock_guard<std::mutex> g(g_log_mu);
  g_min_level = config.loglevel;
  if (g_log_file != nullptr) {
    fclose(g_log_file);
    g_log_file = nullptr;
  }
  if (config.logfile.empty()) return true;
  g_log_file = fopen(config.logfile.c_str(), "a");
  return g_log_file != nullptr;
}

void server_log(LogLevel level, std::string_view message) {
  if (static_cast<int>(level) < static_cast<int>(g_min_level)) return;
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm t;
  localtime_r(&tv.tv_sec, &t);
  char when[64];
  size_t n = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S", &t);
  snprintf(when + n, sizeof(when) - n, ".%03d", static_cast<int>(tv.tv_usec / 1000));
  std::string line = std::to_string(getpid()) + ":M " + when + ' ' + level_mark(level) + ' ';
  line.append(message);
  line += '\n';
  std::lock_guard<std::mutex> g(g_log_mu);
  FILE* f = g_log_file != nullptr ? g_log_file : stdout;
  fwrite(line.data(), 1, line.size(), f);
  fflush(f);
}

}  // namespace stmkv
