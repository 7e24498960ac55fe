// main.cc — stmkv-server entry point.
//
// Usage: stmkv-server [configfile] [-] [--name value ...] [--test-config]
//        stmkv-server -v | --version | -h | --help
// Reads the configuration as redis-server does (see server/config.h). --test-config checks the
// configuration, prints a summary and exits 0; the network server itself is not built yet.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "server/config.h"

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

  std::cout << summary(config) << "\n";
  if (test_config) {
    std::cout << "stmkv: configuration OK\n";
    return 0;
  }
  std::cerr << "stmkv: server not implemented yet\n";
  return 1;
}
