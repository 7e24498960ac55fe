// Tests of server/config.h: file format, command-line overrides and error messages, checked
// against what redis-server 7.0 does with the same input.
#include "server/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

namespace stmkv {

// Readable failure messages for optional<ConfigError>.
void PrintTo(const ConfigError& e, std::ostream* os) {
  *os << "line " << e.line << " '" << e.line_text << "': " << e.message;
}

namespace {

std::optional<ConfigError> load(std::string_view text, ServerConfig* config) {
  return load_config_from_string(text, config);
}

std::optional<ConfigError> load_args(const std::vector<std::string>& args, ServerConfig* config) {
  return load_config(parse_command_line(args), config);
}

// A per-process path in the test temp dir, so that concurrent test runs do not collide.
std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + std::to_string(::getpid()) + "_" + name;
}

std::string temp_file(const std::string& name, const std::string& contents) {
  std::string path = temp_path(name);
  std::ofstream(path) << contents;
  return path;
}

TEST(ParseMemory, UnitsAsRedis) {
  EXPECT_EQ(parse_memory("0"), 0u);
  EXPECT_EQ(parse_memory("123"), 123u);
  EXPECT_EQ(parse_memory("5b"), 5u);
  EXPECT_EQ(parse_memory("1k"), 1000u);
  EXPECT_EQ(parse_memory("1kb"), 1024u);
  EXPECT_EQ(parse_memory("2m"), 2000000u);
  EXPECT_EQ(parse_memory("512mb"), 512ull << 20);
  EXPECT_EQ(parse_memory("3g"), 3000000000ull);
  EXPECT_EQ(parse_memory("16gb"), 16ull << 30);
  EXPECT_EQ(parse_memory("1GB"), 1ull << 30);
  EXPECT_EQ(parse_memory("1Mb"), 1ull << 20);
}

TEST(ParseMemory, RejectsMalformed) {
  for (const char* s : {"", "mb", "-1", "-1mb", "+1", "1x", "1 mb", " 1", "1.5gb", "1tb",
                        "18446744073709551616", "99999999999999999999gb", "17179869184gb"}) {
    EXPECT_FALSE(parse_memory(s).has_value()) << s;
  }
  EXPECT_EQ(parse_memory("18446744073709551615"), UINT64_MAX);
}

TEST(SplitArgs, Plain) {
  EXPECT_EQ(split_config_args("port 6379"), (std::vector<std::string>{"port", "6379"}));
  EXPECT_EQ(split_config_args("  bind   a\tb  "), (std::vector<std::string>{"bind", "a", "b"}));
  EXPECT_EQ(split_config_args(""), std::vector<std::string>{});
  EXPECT_EQ(split_config_args("   "), std::vector<std::string>{});
}

TEST(SplitArgs, Quotes) {
  EXPECT_EQ(split_config_args("logfile \"\""), (std::vector<std::string>{"logfile", ""}));
  EXPECT_EQ(split_config_args("dir \"a b\""), (std::vector<std::string>{"dir", "a b"}));
  EXPECT_EQ(split_config_args("dir 'a \"b'"), (std::vector<std::string>{"dir", "a \"b"}));
  EXPECT_EQ(split_config_args("x 'it\\'s'"), (std::vector<std::string>{"x", "it's"}));
  EXPECT_EQ(split_config_args("x \"\\x41\\n\\t\\\\\\\"\""),
            (std::vector<std::string>{"x", "A\n\t\\\""}));
  // A quote inside a word opens a quoted part, as in sdssplitargs.
  EXPECT_EQ(split_config_args("x a\"b c\""), (std::vector<std::string>{"x", "ab c"}));
}

TEST(SplitArgs, Unbalanced) {
  EXPECT_FALSE(split_config_args("x \"abc").has_value());
  EXPECT_FALSE(split_config_args("x 'abc").has_value());
  EXPECT_FALSE(split_config_args("x \"a\"b").has_value());
  EXPECT_FALSE(split_config_args("x 'a'b").has_value());
}

TEST(QuoteArg, RoundTrips) {
  for (std::string s :
       {std::string(""), std::string("plain"), std::string("a b"), std::string("q\"uote\\"),
        std::string("\n\r\t\a\b"), std::string("\x01\xff", 2), std::string("nul\0in", 6)}) {
    std::string quoted = quote_config_arg(s);
    auto parts = split_config_args("x " + quoted);
    ASSERT_TRUE(parts.has_value()) << quoted;
    ASSERT_EQ(parts->size(), 2u) << quoted;
    EXPECT_EQ((*parts)[1], s) << quoted;
  }
  EXPECT_EQ(quote_config_arg("a\x01"), "\"a\\x01\"");
}

TEST(LoadConfig, DefaultsMatchShippedFile) {
  std::string path = std::string(STMKV_SOURCE_DIR) + "/conf/stmkv.conf";
  ServerConfig defaults;
  ServerConfig loaded;
  // Start from values that differ from every default, so that each line of the file must be
  // read to get them back.
  loaded.bind = {"0.0.0.0"};
  loaded.port = 1;
  loaded.workers = 3;
  loaded.databases = 2;
  loaded.maxclients = 5;
  loaded.timeout = 7;
  loaded.tcp_keepalive = 9;
  loaded.daemonize = true;
  loaded.logfile = "x.log";
  loaded.loglevel = LogLevel::kDebug;
  loaded.dir = "/nowhere";
  loaded.proto_max_bulk_len = 1 << 21;
  loaded.client_query_buffer_limit = 1 << 21;
  loaded.heap_size = 1 << 21;
  loaded.stm_inevitable_after = 1;
  loaded.stm_reshare = false;
  loaded.save = {{1, 1}};
  loaded.appendfsync = "always";
  loaded.maxmemory = 1;
  loaded.maxmemory_policy = "allkeys-lru";
  loaded.maxmemory_samples = 1;
  loaded.lazyfree_lazy_eviction = loaded.lazyfree_lazy_expire = true;
  loaded.lazyfree_lazy_server_del = loaded.lazyfree_lazy_user_del = true;
  loaded.lazyfree_lazy_user_flush = true;
  loaded.list_max_listpack_size = 1;
  loaded.list_compress_depth = 1;
  loaded.hash_max_listpack_entries = loaded.hash_max_listpack_value = 1;
  loaded.set_max_intset_entries = loaded.set_max_listpack_entries = 1;
  loaded.set_max_listpack_value = 1;
  loaded.zset_max_listpack_entries = loaded.zset_max_listpack_value = 1;
  loaded.hz = 1;
  loaded.slowlog_log_slower_than = loaded.slowlog_max_len = 1;
  loaded.latency_monitor_threshold = 1;
  loaded.notify_keyspace_events = kNotifyAll;
  loaded.protected_mode = false;
  loaded.enable_debug_command = "no";

  CommandLine cl;
  cl.config_file = path;
  ASSERT_EQ(load_config(cl, &loaded), std::nullopt);
  for (std::string_view name : config_option_names()) {
    EXPECT_EQ(get_config_option(loaded, name), get_config_option(defaults, name)) << name;
  }
}

TEST(LoadConfig, Defaults) {
  ServerConfig c;
  EXPECT_EQ(c.bind, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(c.port, 6379);
  EXPECT_EQ(c.workers, 0);
  EXPECT_EQ(c.databases, 16);
  EXPECT_EQ(c.maxclients, 10000);
  EXPECT_EQ(c.proto_max_bulk_len, 512 << 20);
  EXPECT_EQ(c.client_query_buffer_limit, 1 << 30);
  EXPECT_EQ(c.heap_size, int64_t{16} << 30);
  EXPECT_EQ(c.stm_inevitable_after, 8);
  EXPECT_TRUE(c.stm_reshare);
  EXPECT_GE(effective_workers(c), 1);
  EXPECT_LE(effective_workers(c), kMaxWorkers);
}

TEST(LoadConfig, ParsesEveryKind) {
  ServerConfig c;
  auto e = load(
      "# comment\n"
      "\n"
      "   PORT 7000   \r\n"
      "bind 10.0.0.1 ::1\n"
      "daemonize YES\n"
      "logfile \"/tmp/my log.txt\"\n"
      "loglevel Warning\n"
      "heap-size 1gb\n"
      "proto-max-bulk-len 2mb\n"
      "workers 4\n"
      "stm-reshare no\n"
      "\t# indented comment\n",
      &c);
  ASSERT_EQ(e, std::nullopt);
  EXPECT_EQ(c.port, 7000);
  EXPECT_EQ(c.bind, (std::vector<std::string>{"10.0.0.1", "::1"}));
  EXPECT_TRUE(c.daemonize);
  EXPECT_EQ(c.logfile, "/tmp/my log.txt");
  EXPECT_EQ(c.loglevel, LogLevel::kWarning);
  EXPECT_EQ(c.heap_size, int64_t{1} << 30);
  EXPECT_EQ(c.proto_max_bulk_len, 2 << 20);
  EXPECT_EQ(c.workers, 4);
  EXPECT_EQ(effective_workers(c), 4);
  EXPECT_FALSE(c.stm_reshare);
}

TEST(LoadConfig, LaterDirectiveWins) {
  ServerConfig c;
  ASSERT_EQ(load("port 1\nport 2\n", &c), std::nullopt);
  EXPECT_EQ(c.port, 2);
}

TEST(LoadConfig, EmptyBindListensNowhere) {
  ServerConfig c;
  ASSERT_EQ(load("bind \"\"", &c), std::nullopt);
  EXPECT_TRUE(c.bind.empty());
}

struct BadLine {
  const char* line;
  const char* message;
};

TEST(LoadConfig, ErrorsAsRedis) {
  const BadLine cases[] = {
      {"no-such-option 1", "Bad directive or wrong number of arguments"},
      {"port", "wrong number of arguments"},
      {"port 1 2", "wrong number of arguments"},
      {"port abc", "argument couldn't be parsed into an integer"},
      {"port 007", "argument couldn't be parsed into an integer"},
      {"port +5", "argument couldn't be parsed into an integer"},
      {"port -0", "argument couldn't be parsed into an integer"},
      {"port 99999", "argument must be between 0 and 65535 inclusive"},
      {"maxclients 0", "argument must be between 1 and 4294967295 inclusive"},
      {"timeout -1", "argument must be between 0 and 2147483647 inclusive"},
      {"databases 0", "argument must be between 1 and 2147483647 inclusive"},
      {"workers 64", "argument must be between 0 and 63 inclusive"},
      {"daemonize maybe", "argument must be 'yes' or 'no'"},
      {"proto-max-bulk-len 5x", "argument must be a memory value"},
      {"proto-max-bulk-len -1", "argument must be a memory value"},
      {"proto-max-bulk-len 5",
       "argument must be between 1048576 and 9223372036854775807 inclusive"},
      {"loglevel x", "argument(s) must be one of the following: debug, verbose, notice, warning"},
      {"port \"12", "Unbalanced quotes in configuration line"},
      {"bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "Too many bind addresses specified."},
  };
  for (const BadLine& bad : cases) {
    ServerConfig c;
    std::optional<ConfigError> e = load(std::string("port 1\n\n") + bad.line + "\nport 2\n", &c);
    ASSERT_TRUE(e.has_value()) << bad.line;
    EXPECT_EQ(e->line, 3) << bad.line;
    EXPECT_EQ(e->line_text, bad.line);
    EXPECT_EQ(e->message, bad.message) << bad.line;
    EXPECT_EQ(c.port, 1) << "directives before the error apply, none after";
  }
}

TEST(FormatError, AsRedis) {
  ConfigError e{2, "foo \"bar\"", "Bad directive or wrong number of arguments"};
  std::string text = format_config_error(e);
  EXPECT_EQ(text.find("\n*** FATAL CONFIG FILE ERROR (stmkv "), 0u) << text;
  EXPECT_NE(text.find(" ***\nReading the configuration file, at line 2\n>>> 'foo \"bar\"'\n"
                      "Bad directive or wrong number of arguments\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(format_config_error(ConfigError{0, "", "can't open"}), "can't open\n");
}

TEST(CommandLine, FileAndOverrides) {
  CommandLine cl =
      parse_command_line(std::vector<std::string>{"my.conf", "--port", "7000", "--bind", "a", "b"});
  EXPECT_EQ(cl.config_file, "my.conf");
  EXPECT_FALSE(cl.config_from_stdin);
  EXPECT_EQ(cl.overrides, "port \"7000\" \nbind \"a\" \"b\" ");
}

TEST(CommandLine, NoFile) {
  CommandLine cl = parse_command_line(std::vector<std::string>{"--port", "7000"});
  EXPECT_EQ(cl.config_file, "");
  EXPECT_EQ(cl.overrides, "port \"7000\" ");
  EXPECT_EQ(parse_command_line(std::vector<std::string>{}).overrides, "");
}

TEST(CommandLine, NameAndValueInOneArgument) {
  CommandLine cl = parse_command_line(std::vector<std::string>{"--port 7000", "--workers", "2"});
  EXPECT_EQ(cl.overrides, "port 7000 \nworkers \"2\" ");
}

TEST(CommandLine, ValueStartingWithDashes) {
  // As redis: an option still missing its value takes the next argument even if it starts
  // with "--".
  CommandLine cl = parse_command_line(std::vector<std::string>{"--logfile", "--x", "--port", "1"});
  EXPECT_EQ(cl.overrides, "logfile \"--x\" \nport \"1\" ");
}

TEST(CommandLine, SaveWithoutValue) {
  EXPECT_EQ(parse_command_line(std::vector<std::string>{"--save", "--port", "1"}).overrides,
            "save \"\"\nport \"1\" ");
  EXPECT_EQ(parse_command_line(std::vector<std::string>{"--save"}).overrides, "save \"\"");
}

TEST(CommandLine, Stdin) {
  EXPECT_TRUE(parse_command_line(std::vector<std::string>{"-"}).config_from_stdin);
  EXPECT_TRUE(
      parse_command_line(std::vector<std::string>{"a.conf", "--port", "1", "-"}).config_from_stdin);
}

TEST(CommandLine, OverridesFile) {
  std::string path = temp_file("stmkv_override.conf", "port 7000\nworkers 2\n");
  ServerConfig c;
  ASSERT_EQ(load_args({path, "--port", "7001", "--logfile", "a b"}, &c), std::nullopt);
  EXPECT_EQ(c.port, 7001);
  EXPECT_EQ(c.workers, 2);
  EXPECT_EQ(c.logfile, "a b");
  std::remove(path.c_str());
}

TEST(CommandLine, ErrorLineCountsFileLines) {
  // As redis: the file's lines, then one line break, then the overrides.
  std::string path = temp_file("stmkv_lines.conf", "port 7000\n");
  ServerConfig c;
  std::optional<ConfigError> e = load_args({path, "--port", "1", "--bogus", "x y"}, &c);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->line, 4);
  EXPECT_EQ(e->line_text, "bogus \"x y\"");
  EXPECT_EQ(e->message, "Bad directive or wrong number of arguments");
  std::remove(path.c_str());

  // Without a file the first override is on line 2, as redis-server reports.
  e = load_args({"--nope", "1"}, &c);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->line, 2);
  EXPECT_EQ(e->line_text, "nope \"1\"");
}

TEST(CommandLine, MissingFile) {
  ServerConfig c;
  std::optional<ConfigError> e = load_args({"/nonexistent/stmkv.conf"}, &c);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->line, 0);
  EXPECT_EQ(e->message,
            "Fatal error, can't open config file '/nonexistent/stmkv.conf': "
            "No such file or directory");
}

TEST(LoadConfig, Include) {
  std::string inner = temp_file("stmkv_inner.conf", "port 7100\nworkers 5\n");
  ServerConfig c;
  ASSERT_EQ(load("port 1\ninclude " + inner + "\nworkers 6\n", &c), std::nullopt);
  EXPECT_EQ(c.port, 7100);
  EXPECT_EQ(c.workers, 6);
  std::remove(inner.c_str());

  std::string self = temp_path("stmkv_self.conf");
  std::ofstream(self) << "include " << self << "\n";
  std::optional<ConfigError> e = load("include " + self, &c);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message, "include nesting is too deep");
  std::remove(self.c_str());
}

TEST(ConfigOption, SetAndGet) {
  ServerConfig c;
  std::vector<std::string> one = {"2gb"};
  EXPECT_EQ(set_config_option(&c, "HEAP-SIZE", one), std::nullopt);
  EXPECT_EQ(get_config_option(c, "heap-size"), std::to_string(int64_t{2} << 30));
  EXPECT_EQ(get_config_option(c, "daemonize"), "no");
  EXPECT_EQ(get_config_option(c, "loglevel"), "notice");
  EXPECT_EQ(get_config_option(c, "bind"), "127.0.0.1");
  EXPECT_EQ(get_config_option(c, "nope"), std::nullopt);

  std::vector<std::string> bad = {"maybe"};
  EXPECT_EQ(set_config_option(&c, "stm-reshare", bad), "argument must be 'yes' or 'no'");
  EXPECT_TRUE(c.stm_reshare);
  EXPECT_TRUE(set_config_option(&c, "nope", one).has_value());
}

TEST(ConfigOption, NamesAreUniqueAndGettable) {
  std::vector<std::string_view> names = config_option_names();
  EXPECT_EQ(names.size(), 70u);
  ServerConfig c;
  for (size_t i = 0; i < names.size(); i++) {
    EXPECT_TRUE(get_config_option(c, names[i]).has_value()) << names[i];
    for (size_t j = i + 1; j < names.size(); j++) EXPECT_NE(names[i], names[j]);
  }
}

// Defaults of the options Redis clients query, as redis-server 7.0.15's CONFIG GET prints them.
TEST(ConfigOption, RedisDefaults) {
  ServerConfig c;
  const std::vector<std::pair<std::string, std::string>> kDefaults = {
      {"save", "3600 1 300 100 60 10000"},
      {"appendonly", "no"},
      {"appendfsync", "everysec"},
      {"maxmemory", "0"},
      {"maxmemory-policy", "noeviction"},
      {"maxmemory-samples", "5"},
      {"hz", "10"},
      {"lazyfree-lazy-eviction", "no"},
      {"lazyfree-lazy-expire", "no"},
      {"lazyfree-lazy-server-del", "no"},
      {"lazyfree-lazy-user-del", "no"},
      {"lazyfree-lazy-user-flush", "no"},
      {"list-max-listpack-size", "-2"},
      {"list-max-ziplist-size", "-2"},
      {"list-compress-depth", "0"},
      {"hash-max-listpack-entries", "512"},
      {"hash-max-ziplist-entries", "512"},
      {"hash-max-listpack-value", "64"},
      {"hash-max-ziplist-value", "64"},
      {"set-max-intset-entries", "512"},
      {"set-max-listpack-entries", "128"},
      {"set-max-listpack-value", "64"},
      {"zset-max-listpack-entries", "128"},
      {"zset-max-ziplist-entries", "128"},
      {"zset-max-listpack-value", "64"},
      {"zset-max-ziplist-value", "64"},
      {"loglevel", "notice"},
      {"slowlog-log-slower-than", "10000"},
      {"slowlog-max-len", "128"},
      {"latency-monitor-threshold", "0"},
      {"notify-keyspace-events", ""},
      {"requirepass", ""},
      {"protected-mode", "yes"},
  };
  for (const auto& [name, value] : kDefaults) EXPECT_EQ(get_config_option(c, name), value) << name;
}

// CONFIG SET errors as redis-server 7.0.15 words them (the part after " - ").
TEST(ConfigOption, ValidationAsRedis) {
  ServerConfig c;
  auto set = [&](std::string_view name, std::string_view value) {
    return set_config_option_value(&c, name, value);
  };
  EXPECT_EQ(set("maxmemory", "abc"), "argument must be a memory value");
  EXPECT_EQ(set("maxmemory", "-1"), "argument must be a memory value");
  EXPECT_EQ(set("maxmemory", "10mb"), std::nullopt);
  EXPECT_EQ(c.maxmemory, 10u << 20);
  EXPECT_EQ(get_config_option(c, "maxmemory"), "10485760");
  EXPECT_EQ(set("maxmemory", "18446744073709551615"), std::nullopt);
  EXPECT_EQ(set("maxmemory-policy", "foo"),
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
            "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
  EXPECT_EQ(set("maxmemory-policy", "ALLKEYS-LRU"), std::nullopt);
  EXPECT_EQ(get_config_option(c, "maxmemory-policy"), "allkeys-lru");
  EXPECT_EQ(set("appendfsync", "foo"),
            "argument(s) must be one of the following: everysec, always, no");
  EXPECT_EQ(set("appendfsync", "ALWAYS"), std::nullopt);
  EXPECT_EQ(get_config_option(c, "appendfsync"), "always");
  EXPECT_EQ(set("appendonly", "maybe"), "argument must be 'yes' or 'no'");
  EXPECT_EQ(set("appendonly", "no"), std::nullopt);
  EXPECT_EQ(set("maxmemory-samples", "0"), "argument must be between 1 and 2147483647 inclusive");
  EXPECT_EQ(set("lazyfree-lazy-expire", "x"), "argument must be 'yes' or 'no'");
  EXPECT_EQ(set("lazyfree-lazy-expire", "yes"), std::nullopt);
  EXPECT_TRUE(c.lazyfree_lazy_expire);
  EXPECT_EQ(set("list-max-ziplist-size", "abc"), "argument couldn't be parsed into an integer");
  EXPECT_EQ(set("list-max-listpack-size", "99999999999"),
            "argument must be between -2147483648 and 2147483647 inclusive");
  EXPECT_EQ(set("list-compress-depth", "-1"),
            "argument must be between 0 and 2147483647 inclusive");
  EXPECT_EQ(set("hash-max-listpack-entries", "-1"),
            "argument must be between 0 and 9223372036854775807 inclusive");
  EXPECT_EQ(set("hash-max-listpack-value", "-5"), "argument must be a memory value");
  EXPECT_EQ(set("hash-max-ziplist-value", "1mb"), std::nullopt);
  EXPECT_EQ(get_config_option(c, "hash-max-listpack-value"), "1048576");
  EXPECT_EQ(set("set-max-intset-entries", "-1"),
            "argument must be between 0 and 9223372036854775807 inclusive");
  EXPECT_EQ(set("slowlog-log-slower-than", "-2"),
            "argument must be between -1 and 9223372036854775807 inclusive");
  EXPECT_EQ(set("slowlog-log-slower-than", "-1"), std::nullopt);
  EXPECT_EQ(set("slowlog-max-len", "-1"),
            "argument must be between 0 and 9223372036854775807 inclusive");
  EXPECT_EQ(set("latency-monitor-threshold", "-1"),
            "argument must be between 0 and 9223372036854775807 inclusive");
  EXPECT_EQ(set("loglevel", "foo"),
            "argument(s) must be one of the following: debug, verbose, notice, warning");
  EXPECT_EQ(set("protected-mode", "maybe"), "argument must be 'yes' or 'no'");
  EXPECT_EQ(set("enable-debug-command", "foo"),
            "argument(s) must be one of the following: no, yes, local");
  EXPECT_EQ(set("appendonly", "yes"), std::nullopt);  // persist/aof.h
  EXPECT_TRUE(c.appendonly);
  EXPECT_EQ(set("appendfilename", "a/b"), "appendfilename can't be a path, just a filename");
  EXPECT_EQ(set("appenddirname", "a/b"), "appenddirname can't be a path, just a dirname");
  EXPECT_EQ(set("requirepass", "secret"), std::nullopt);  // enforced by the ACL (acl_test.cc)
  EXPECT_EQ(get_config_option(c, "requirepass"), "secret");
  EXPECT_EQ(set("requirepass", ""), std::nullopt);
}

TEST(ConfigOption, HzIsClamped) {
  ServerConfig c;
  EXPECT_EQ(set_config_option_value(&c, "hz", "1000"), std::nullopt);
  EXPECT_EQ(get_config_option(c, "hz"), "500");
  EXPECT_EQ(set_config_option_value(&c, "hz", "0"), std::nullopt);
  EXPECT_EQ(get_config_option(c, "hz"), "1");
  EXPECT_EQ(set_config_option_value(&c, "hz", "-1"),
            "argument must be between 0 and 2147483647 inclusive");
  ASSERT_EQ(load("hz 1000\n", &c), std::nullopt);
  EXPECT_EQ(c.hz, 500);
}

// notify-keyspace-events prints its classes in Redis's canonical order.
TEST(ConfigOption, NotifyKeyspaceEvents) {
  ServerConfig c;
  const std::vector<std::pair<std::string, std::string>> kCases = {{"g$lshzxetd", "A"},
                                                                   {"g$lshzxet", "g$lshzxet"},
                                                                   {"A", "A"},
                                                                   {"AKEmn", "AKEm"},
                                                                   {"nmdtKExe$", "$xetdnKEm"},
                                                                   {"", ""},
                                                                   {"Ax", "A"},
                                                                   {"KEA", "AKE"},
                                                                   {"Ex", "xE"}};
  for (const auto& [in, out] : kCases) {
    EXPECT_EQ(set_config_option_value(&c, "notify-keyspace-events", in), std::nullopt) << in;
    EXPECT_EQ(get_config_option(c, "notify-keyspace-events"), out) << in;
  }
  EXPECT_EQ(set_config_option_value(&c, "notify-keyspace-events", "Q"),
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  EXPECT_EQ(get_config_option(c, "notify-keyspace-events"), "xE");
}

TEST(ConfigOption, SaveAsConfigSet) {
  ServerConfig c;
  for (const char* bad : {"abc", "1 2 3", "10", "10,1", "-1 1", "0 1", "10  1", " 10 1", "10 -1"}) {
    EXPECT_EQ(set_config_option_value(&c, "save", bad), "Invalid save parameters") << bad;
  }
  EXPECT_EQ(get_config_option(c, "save"), "3600 1 300 100 60 10000");
  EXPECT_EQ(set_config_option_value(&c, "save", "+10 1"), std::nullopt);
  EXPECT_EQ(get_config_option(c, "save"), "10 1");
  EXPECT_EQ(set_config_option_value(&c, "save", "100 1 200 2"), std::nullopt);
  EXPECT_EQ(c.save, (std::vector<SavePoint>{{100, 1}, {200, 2}}));
  EXPECT_EQ(set_config_option_value(&c, "save", ""), std::nullopt);
  EXPECT_EQ(get_config_option(c, "save"), "");
}

// In a file, save lines add up (redis.conf's three save lines); save "" clears them.
TEST(LoadConfig, SaveLinesAccumulate) {
  ServerConfig c;
  ASSERT_EQ(load("save 900 1\nsave 300 10\n", &c), std::nullopt);
  EXPECT_EQ(get_config_option(c, "save"), "900 1 300 10");
  ASSERT_EQ(load("save 900 1\nsave \"\"\n", &c), std::nullopt);
  EXPECT_EQ(get_config_option(c, "save"), "");
  ASSERT_EQ(load("save \"\"\nsave 60 5\n", &c), std::nullopt);
  EXPECT_EQ(get_config_option(c, "save"), "60 5");
  // A new load starts over; one quoted argument is split (--save "3600 1 300 100").
  ASSERT_EQ(load_args({"--save", "3600 1 300 100"}, &c), std::nullopt);
  EXPECT_EQ(get_config_option(c, "save"), "3600 1 300 100");
  ASSERT_EQ(load_args({"--save"}, &c), std::nullopt);
  EXPECT_EQ(get_config_option(c, "save"), "");
  std::optional<ConfigError> e = load("save 10\n", &c);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message, "Invalid save parameters");
  e = load("appendonly yes\n", &c);  // the AOF exists (persist/aof.h)
  EXPECT_FALSE(e.has_value());
  EXPECT_TRUE(c.appendonly);
  // bind given as one argument is split the same way.
  ASSERT_EQ(load_args({"--bind", "127.0.0.1 ::1"}, &c), std::nullopt);
  EXPECT_EQ(c.bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
}

TEST(ConfigOption, AliasesAndImmutables) {
  EXPECT_EQ(config_option_canonical_name("LIST-MAX-ZIPLIST-SIZE"), "list-max-listpack-size");
  EXPECT_EQ(config_option_canonical_name("hash-max-ziplist-entries"), "hash-max-listpack-entries");
  EXPECT_EQ(config_option_canonical_name("zset-max-ziplist-value"), "zset-max-listpack-value");
  EXPECT_EQ(config_option_canonical_name("timeout"), "timeout");
  EXPECT_EQ(config_option_canonical_name("nope"), std::nullopt);
  ServerConfig c;
  EXPECT_EQ(set_config_option_value(&c, "zset-max-ziplist-entries", "7"), std::nullopt);
  EXPECT_EQ(get_config_option(c, "zset-max-listpack-entries"), "7");
  for (const char* name :
       {"port", "bind", "databases", "workers", "heap-size", "daemonize", "enable-debug-command"}) {
    EXPECT_TRUE(config_option_immutable(name)) << name;
  }
  EXPECT_FALSE(config_option_immutable("timeout"));
  EXPECT_FALSE(config_option_immutable("nope"));
}

}  // namespace
}  // namespace stmkv
