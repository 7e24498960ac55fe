// main.cc — stmkv-server entry point.
//
// Usage: stmkv-server [configfile] [-] [--name value ...] [--test-config]
//        stmkv-server -v | --version | -h | --help
// Reads the configuration as redis-server does (see server/config.h). --test-config checks the
// configuration, prints a summary and exits 0. Otherwise: daemonizes if asked (fork, as
// redis-server), creates the Server, listens (net/network.h), runs the worker loops until
// SHUTDOWN, SIGTERM or SIGINT, and exits 0. SIGPIPE is ignored.
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/log.h"
#include "net/network.h"
#include "persist/aof.h"
#include "persist/persistence.h"
#include "server/config.h"
#include "server/server.h"

#ifndef STMKV_VERSION
#define STMKV_VERSION "0.0.0"
#endif

namespace {

constexpr std::string_view kTestConfigFlag = "--test-config";

void print_usage() {
  std::cerr << "Usage: ./stmkv-server [/path/to/stmkv.conf] [options] [-]\n"
               "       ./stmkv-server - (read config from stdin)\n"
               "       ./stmkv-server -v or --version\n"
               "       ./stmkv-server -h or --help\n"
               "       ./stmkv-server [/path/to/stmkv.conf] [options] --test-config\n\n"
               "Examples:\n"
               "       ./stmkv-server (run the server with default conf)\n"
               "       ./stmkv-server conf/stmkv.conf\n"
               "       ./stmkv-server --port 7777\n"
               "       ./stmkv-server conf/stmkv.conf --workers 4 --loglevel verbose\n";
}

// One line that says what the server would run with.
std::string summary(const stmkv::ServerConfig& c) {
  std::string bind = stmkv::get_config_option(c, "bind").value_or("");
  return "stmkv " STMKV_VERSION ": bind " + (bind.empty() ? std::string("(none)") : bind) +
         " port " + std::to_string(c.port) + " workers " +
         std::to_string(stmkv::effective_workers(c)) + " databases " + std::to_string(c.databases) +
         " maxclients " + std::to_string(c.maxclients) + " heap-size " +
         std::to_string(c.heap_size) + " loglevel " +
         std::string(stmkv::log_level_name(c.loglevel));
}

// Detaches from the terminal as redis-server's daemonize(): the parent exits 0, the child runs
// in a new session with standard input/output/error on /dev/null.
void daemonize() {
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    exit(1);
  }
  if (pid != 0) exit(0);
  setsid();
  int fd = open("/dev/null", O_RDWR, 0);
  if (fd != -1) {
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) close(fd);
  }
}

int run_server(const stmkv::ServerConfig& config) {
  using stmkv::LogLevel;
  using stmkv::server_log;
  if (config.daemonize) daemonize();
  if (!stmkv::log_init(config)) {
    std::cerr << "Can't open the log file: " << std::strerror(errno) << "\n";
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  // Blocked here and in every worker; worker 0 takes them through libuv (net/network.h).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  server_log(LogLevel::kNotice, "oO0OoO0OoO0Oo stmkv is starting oO0OoO0OoO0Oo");
  server_log(LogLevel::kNotice, "stmkv version=" STMKV_VERSION ", bits=64, pid=" +
                                    std::to_string(getpid()) + ", just started");
  std::unique_ptr<stmkv::Server> server;
  try {
    server = std::make_unique<stmkv::Server>(config);
  } catch (const std::exception& e) {
    server_log(LogLevel::kWarning, std::string("Failed creating the server: ") + e.what());
    return 1;
  }
  int workers = server->nworkers();
  // The AOF (appendonly yes, persist/aof.h) or else the RDB file is loaded before any worker
  // serves a client.
  if (std::optional<std::string> error =
          server->persistence().aof().load_at_startup(server->worker(0))) {
    server_log(LogLevel::kWarning, "Fatal error loading the DB: " + *error + ". Exiting.");
    return 1;
  }
  server->persistence().start();
  server->persistence().aof().start();
  {
    stmkv::net::Network network(*server);
    if (std::optional<std::string> error = network.listen()) {
      size_t start = 0;
      while (start < error->size()) {
        size_t end = error->find('\n', start);
        if (end == std::string::npos) end = error->size();
        server_log(LogLevel::kWarning, error->substr(start, end - start));
        start = end + 1;
      }
      return 1;
    }
    server_log(LogLevel::kNotice, "Server initialized");
    server_log(LogLevel::kNotice, summary(config));
    network.start();
    if (config.port != 0) {
      server_log(LogLevel::kNotice, "Ready to accept connections tcp");
    } else {
      server_log(LogLevel::kNotice, "Ready (port 0: not listening on TCP)");
    }
    network.join();
  }
  server_log(LogLevel::kWarning, "User requested shutdown...");
  // Everything recorded is written and fsynced before the final snapshot.
  server->persistence().aof().shutdown();
  // SHUTDOWN [SAVE|NOSAVE], SIGTERM: the final snapshot when save rules are set (or SAVE).
  server->persistence().save_on_shutdown();
  server_log(LogLevel::kWarning, "stmkv is now ready to exit, bye bye... (" +
                                     std::to_string(workers) + " workers stopped)");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "-v" || args[0] == "--version")) {
    std::cout << "stmkv server v=" STMKV_VERSION "\n";
    return 0;
  }
  if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
    print_usage();
    return 0;
  }

  bool test_config = false;
  std::erase_if(args, [&](const std::string& a) {
    if (a != kTestConfigFlag) return false;
    test_config = true;
    return true;
  });

  stmkv::ServerConfig config;
  stmkv::CommandLine command_line = stmkv::parse_command_line(args);
  if (std::optional<stmkv::ConfigError> error = stmkv::load_config(command_line, &config)) {
    std::cerr << stmkv::format_config_error(*error);
    return 1;
  }

  if (test_config) {
    std::cout << summary(config) << "\n";
    std::cout << "stmkv: configuration OK\n";
    return 0;
  }
  return run_server(config);
}
