// Tests of the server family (INFO, TIME, LASTSAVE, CONFIG, SHUTDOWN, DEBUG, MEMORY) through the
// dispatcher; expected replies are redis-server 7.0.15's.
#include <gtest/gtest.h>

#include <map>

#include "harness.h"

namespace {

using namespace stmkv_test;

std::string bulk_payload(const std::string& r) {
  size_t nl = r.find("\r\n");
  return r.substr(nl + 2, r.size() - nl - 4);
}

// INFO text -> section title -> key -> value. Fails on any line that is not "key:value".
std::map<std::string, std::map<std::string, std::string>> parse_info(const std::string& text) {
  std::map<std::string, std::map<std::string, std::string>> out;
  std::string section;
  size_t pos = 0;
  bool blank_before = true;
  while (pos < text.size()) {
    size_t end = text.find("\r\n", pos);
    EXPECT_NE(end, std::string::npos) << "unterminated line";
    if (end == std::string::npos) break;
    std::string line = text.substr(pos, end - pos);
    pos = end + 2;
    if (line.empty()) {
      blank_before = true;
      continue;
    }
    if (line[0] == '#') {
      EXPECT_TRUE(blank_before) << "section without a blank line before: " << line;
      section = line.substr(2);
      out[section];
      blank_before = false;
      continue;
    }
    blank_before = false;
    size_t colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << line;
    EXPECT_FALSE(section.empty()) << line;
    if (colon != std::string::npos) out[section][line.substr(0, colon)] = line.substr(colon + 1);
  }
  return out;
}

TEST(ServerFamily, InfoDefaultSections) {
  Harness h;
  h.run({"SET", "a", "1"});
  h.run({"SET", "b", "2"});
  h.run({"GET", "a"});
  h.run({"GET", "zz"});
  std::string text = bulk_payload(h.run({"INFO"}));
  EXPECT_EQ(text.substr(0, 10), "# Server\r\n");
  EXPECT_NE(text.find("\r\n\r\n# Clients\r\n"), std::string::npos);
  auto info = parse_info(text);
  for (const char* s : {"Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                        "Modules", "Errorstats", "Cluster", "Keyspace", "Stm"}) {
    EXPECT_TRUE(info.count(s)) << s;
  }
  EXPECT_FALSE(info.count("Commandstats"));
  EXPECT_EQ(info["Server"]["redis_version"], "7.0.15");
  EXPECT_EQ(info["Server"]["redis_mode"], "standalone");
  EXPECT_EQ(info["Server"]["multiplexing_api"], "epoll");
  EXPECT_EQ(info["Server"]["run_id"], h.server().run_id());
  EXPECT_EQ(info["Server"]["workers"], "2");
  EXPECT_EQ(info["Server"]["io_threads_active"], "0");
  EXPECT_EQ(info["Server"]["process_id"], std::to_string(getpid()));
  EXPECT_EQ(info["Clients"]["connected_clients"], "2");
  EXPECT_EQ(info["Clients"]["blocked_clients"], "0");
  EXPECT_EQ(info["Clients"]["maxclients"], "10000");
  EXPECT_GT(std::stoll(info["Memory"]["used_memory"]), 0);
  EXPECT_GT(std::stoll(info["Memory"]["used_memory_rss"]), 0);
  EXPECT_EQ(info["Memory"]["maxmemory"], "0");
  EXPECT_EQ(info["Memory"]["mem_allocator"], "libc");
  EXPECT_EQ(info["Persistence"]["loading"], "0");
  EXPECT_EQ(info["Persistence"]["aof_enabled"], "0");
  EXPECT_EQ(info["Stats"]["total_commands_processed"], "4");
  EXPECT_EQ(info["Stats"]["keyspace_hits"], "1");
  EXPECT_EQ(info["Stats"]["keyspace_misses"], "1");
  EXPECT_EQ(info["Replication"]["role"], "master");
  EXPECT_TRUE(info["CPU"].count("used_cpu_sys"));
  EXPECT_TRUE(info["CPU"].count("used_cpu_user"));
  EXPECT_EQ(info["Cluster"]["cluster_enabled"], "0");
  EXPECT_EQ(info["Keyspace"]["db0"], "keys=2,expires=0,avg_ttl=0");
  EXPECT_EQ(info["Keyspace"].size(), 1u);
  EXPECT_GE(std::stoll(info["Stm"]["stm_commits"]), 2);  // the two SETs (and start-up)
  EXPECT_TRUE(info["Stm"].count("stm_retries_1"));
  EXPECT_TRUE(info["Stm"].count("stm_retries_3_4"));
  EXPECT_TRUE(info["Stm"].count("stm_aborts_conflict"));
  EXPECT_TRUE(info["Stm"].count("worker0"));
  EXPECT_TRUE(info["Stm"].count("worker1"));
}

TEST(ServerFamily, InfoSectionSelection) {
  Harness h;
  h.run({"SET", "a", "1", "EX", "100"});
  h.run({"SELECT", "5"});
  h.run({"SET", "b", "1"});
  auto ks = parse_info(bulk_payload(h.run({"INFO", "KEYSPACE"})));
  ASSERT_EQ(ks.size(), 1u);
  EXPECT_EQ(ks["Keyspace"]["db0"], "keys=1,expires=1,avg_ttl=0");
  EXPECT_EQ(ks["Keyspace"]["db5"], "keys=1,expires=0,avg_ttl=0");
  EXPECT_EQ(h.run({"INFO", "nosuchsection"}), bulk(""));
  auto two = parse_info(bulk_payload(h.run({"INFO", "clients", "Server"})));
  EXPECT_EQ(two.size(), 2u);
  EXPECT_TRUE(two.count("Server") && two.count("Clients"));

  auto cs = parse_info(bulk_payload(h.run({"INFO", "commandstats"})));
  ASSERT_EQ(cs.size(), 1u);
  const std::string set_line = cs["Commandstats"]["cmdstat_set"];
  EXPECT_EQ(set_line.substr(0, 8), "calls=2,");
  EXPECT_NE(set_line.find(",rejected_calls=0,failed_calls=0"), std::string::npos);
  EXPECT_TRUE(cs["Commandstats"].count("cmdstat_select"));
  h.run({"CLIENT", "ID"});
  h.run({"GET"});  // rejected (arity)
  cs = parse_info(bulk_payload(h.run({"INFO", "commandstats"})));
  EXPECT_EQ(cs["Commandstats"]["cmdstat_client|id"].substr(0, 8), "calls=1,");
  EXPECT_NE(cs["Commandstats"]["cmdstat_get"].find("rejected_calls=1"), std::string::npos);

  auto all = parse_info(bulk_payload(h.run({"INFO", "all"})));
  EXPECT_TRUE(all.count("Commandstats"));
  EXPECT_TRUE(all.count("Server"));
  auto every = parse_info(bulk_payload(h.run({"INFO", "everything"})));
  EXPECT_EQ(every.size(), all.size());
  EXPECT_EQ(h.run({"HELLO", "3"}).substr(0, 2), "%7");
  const std::string cluster = "# Cluster\r\ncluster_enabled:0\r\n";
  EXPECT_EQ(h.run({"INFO", "cluster"}),
            "=" + std::to_string(cluster.size() + 4) + "\r\ntxt:" + cluster + "\r\n");
}

TEST(ServerFamily, TimeLastsave) {
  Harness h;
  std::string r = h.run({"TIME"});
  ASSERT_EQ(r.substr(0, 4), "*2\r\n");
  size_t p = r.find("\r\n", 4);
  std::string secs = r.substr(p + 2, r.find("\r\n", p + 2) - p - 2);
  EXPECT_NEAR(std::stoll(secs), stmkv::now_ms() / 1000, 2);
  EXPECT_EQ(h.run({"TIME", "x"}), error("ERR wrong number of arguments for 'time' command"));
  EXPECT_EQ(h.run({"LASTSAVE"}), integer(h.server().start_time_ms() / 1000));
}

TEST(ServerFamily, ConfigGetSet) {
  Harness h;
  EXPECT_EQ(h.run({"CONFIG", "GET", "maxclients"}), "*2\r\n" + bulk("maxclients") + bulk("10000"));
  EXPECT_EQ(h.run({"CONFIG", "GET", "MAXCLIENTS"}), "*2\r\n" + bulk("maxclients") + bulk("10000"));
  EXPECT_EQ(h.run({"CONFIG", "GET", "nosuch"}), "*0\r\n");
  EXPECT_EQ(h.run({"CONFIG", "GET", "tcp-*", "tcp-keepalive"}),
            "*2\r\n" + bulk("tcp-keepalive") + bulk("300"));
  std::string all = h.run({"CONFIG", "GET", "*"});
  EXPECT_EQ(all.substr(0, all.find("\r\n")),
            "*" + std::to_string(2 * stmkv::config_option_names().size()));
  EXPECT_EQ(h.run({"CONFIG", "GET"}),
            error("ERR wrong number of arguments for 'config|get' command"));

  EXPECT_EQ(h.run({"CONFIG", "SET", "timeout", "5", "maxclients", "20"}), kOk);
  EXPECT_EQ(h.server().config().timeout, 5);
  EXPECT_EQ(h.server().config().maxclients, 20);
  EXPECT_EQ(h.run({"CONFIG", "SET", "foo", "bar"}),
            error("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "maxclients", "x"}),
            error("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument "
                  "couldn't be parsed into an integer"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "timeout", "5", "timeout", "6"}),
            error("ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate "
                  "parameter"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "databases", "4"}),
            error("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
                  "immutable config"));
  // All or nothing: the first pair is not applied when the second fails.
  EXPECT_NE(h.run({"CONFIG", "SET", "timeout", "7", "maxclients", "x"}), kOk);
  EXPECT_EQ(h.server().config().timeout, 5);
  EXPECT_EQ(h.run({"CONFIG", "SET", "port"}),
            error("ERR wrong number of arguments for 'config|set' command"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "timeout", "1", "port"}),
            error("ERR wrong number of arguments for 'config|set' command"));
  EXPECT_EQ(h.run({"CONFIG", "REWRITE"}), error("ERR The server is running without a config file"));
  std::string help = h.run({"CONFIG", "HELP"});
  EXPECT_EQ(help.substr(0, 5), "*11\r\n");
  EXPECT_NE(help.find("+RESETSTAT\r\n"), std::string::npos);
}

TEST(ServerFamily, ConfigResetstat) {
  Harness h;
  h.run({"GET", "a"});
  h.run({"SET", "a", "1"});
  EXPECT_EQ(h.run({"CONFIG", "RESETSTAT"}), kOk);
  auto info = parse_info(bulk_payload(h.run({"INFO", "stats", "commandstats"})));
  EXPECT_EQ(info["Stats"]["keyspace_misses"], "0");
  EXPECT_EQ(info["Stats"]["total_commands_processed"], "1");  // CONFIG RESETSTAT itself
  EXPECT_FALSE(info["Commandstats"].count("cmdstat_get"));
}

TEST(ServerFamily, Shutdown) {
  Harness h;
  EXPECT_EQ(h.run({"SHUTDOWN", "FOO"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"SHUTDOWN", "NOSAVE", "SAVE"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"SHUTDOWN", "ABORT"}), error("ERR No shutdown in progress."));
  EXPECT_FALSE(h.server().shutdown_requested());
  EXPECT_EQ(h.run({"SHUTDOWN", "NOSAVE", "NOW"}), "");
  EXPECT_TRUE(h.server().shutdown_requested());
  EXPECT_TRUE(h.client(0).close_after_reply);
}

TEST(ServerFamily, Debug) {
  Harness h;
  h.run({"SET", "k", "hello"});
  h.run({"SET", "n", "123"});
  std::string r = h.run({"DEBUG", "OBJECT", "k"});
  ASSERT_EQ(r.substr(0, 12), "+Value at:0x");
  EXPECT_NE(r.find(" refcount:1 encoding:embstr serializedlength:6 lru:"), std::string::npos);
  EXPECT_NE(r.find(" lru_seconds_idle:0\r\n"), std::string::npos);
  r = h.run({"DEBUG", "OBJECT", "n"});
  EXPECT_NE(r.find(" refcount:2147483647 encoding:int serializedlength:2 lru:"), std::string::npos);
  EXPECT_EQ(h.run({"DEBUG", "OBJECT", "nokey"}), error("ERR no such key"));
  EXPECT_EQ(h.run({"DEBUG", "SLEEP", "0"}), kOk);
  EXPECT_EQ(h.run({"DEBUG", "SLEEP", "0.01"}), kOk);
  EXPECT_EQ(h.run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), kOk);
  EXPECT_FALSE(h.server().active_expire_enabled.load());
  EXPECT_EQ(h.run({"DEBUG", "set-active-expire", "1"}), kOk);
  EXPECT_TRUE(h.server().active_expire_enabled.load());
  EXPECT_EQ(
      h.run({"DEBUG", "FOO"}),
      error("ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP."));
  EXPECT_EQ(h.run({"DEBUG", "SLEEP"}),
            error("ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG "
                  "HELP."));
  EXPECT_EQ(h.run({"DEBUG"}), error("ERR wrong number of arguments for 'debug' command"));
  EXPECT_EQ(h.run({"DEBUG", "HELP"}).substr(0, 1), "*");
}

// enable-debug-command: DEBUG is refused with Redis's message unless "yes", or "local" from a
// loopback address (the harness's clients are 127.0.0.1).
TEST(ServerFamily, DebugEnabledByConfig) {
  const std::string kRefused = error(
      "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
      "you can run it from a local connection, otherwise you need to set this option in the "
      "configuration file, and then restart the server.");
  Harness h;
  EXPECT_EQ(h.run({"CONFIG", "SET", "enable-debug-command", "no"}),
            error("ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - "
                  "can't set immutable config"));
  h.server().config().enable_debug_command = "no";
  EXPECT_EQ(h.run({"DEBUG", "SLEEP", "0"}), kRefused);
  h.server().config().enable_debug_command = "local";
  EXPECT_EQ(h.run({"DEBUG", "SLEEP", "0"}), kOk);
  h.client(0).addr = "10.1.2.3:4000";
  EXPECT_EQ(h.run({"DEBUG", "SLEEP", "0"}), kRefused);
  h.server().config().enable_debug_command = "yes";
  EXPECT_EQ(h.run({"DEBUG", "SLEEP", "0"}), kOk);
}

// The options redis-benchmark and other clients query, as redis-server 7.0.15 answers.
TEST(ServerFamily, ConfigClientOptions) {
  Harness h;
  auto pair = [](std::string_view k, std::string_view v) { return "*2\r\n" + bulk(k) + bulk(v); };
  EXPECT_EQ(h.run({"CONFIG", "GET", "save"}), pair("save", "3600 1 300 100 60 10000"));
  EXPECT_EQ(h.run({"CONFIG", "GET", "appendonly"}), pair("appendonly", "no"));
  // An alias is answered under the name asked for; a pattern matches both names.
  EXPECT_EQ(h.run({"CONFIG", "GET", "list-max-ziplist-size"}), pair("list-max-ziplist-size", "-2"));
  EXPECT_EQ(h.run({"CONFIG", "GET", "list-max-*"}), "*4\r\n" + bulk("list-max-listpack-size") +
                                                        bulk("-2") + bulk("list-max-ziplist-size") +
                                                        bulk("-2"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "list-max-ziplist-size", "5"}), kOk);
  EXPECT_EQ(h.server().config().list_max_listpack_size, 5);
  EXPECT_EQ(h.run({"CONFIG", "SET", "list-max-listpack-size", "1", "list-max-ziplist-size", "2"}),
            error("ERR CONFIG SET failed (possibly related to argument 'list-max-ziplist-size') - "
                  "duplicate parameter"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "maxmemory", "abc"}),
            error("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument "
                  "must be a memory value"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "maxmemory", "1gb", "maxmemory-policy", "allkeys-lru"}), kOk);
  EXPECT_EQ(h.run({"CONFIG", "GET", "maxmemory"}), pair("maxmemory", "1073741824"));
  std::string info = bulk_payload(h.run({"INFO", "memory"}));
  EXPECT_NE(info.find("\r\nmaxmemory:1073741824\r\nmaxmemory_human:1.00G\r\n"
                      "maxmemory_policy:allkeys-lru\r\n"),
            std::string::npos)
      << info;
  // save takes its pairs in one value, split on spaces.
  EXPECT_EQ(h.run({"CONFIG", "SET", "save", "100 1 200 2"}), kOk);
  EXPECT_EQ(h.run({"CONFIG", "GET", "save"}), pair("save", "100 1 200 2"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "save", "10"}),
            error("ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save "
                  "parameters"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "save", ""}), kOk);
  EXPECT_EQ(h.run({"CONFIG", "GET", "save"}), pair("save", ""));
  EXPECT_EQ(h.run({"CONFIG", "SET", "appendonly", "yes"}), kOk);  // persist/aof.h
  EXPECT_EQ(h.run({"CONFIG", "GET", "appendonly"}), pair("appendonly", "yes"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "appendonly", "no"}), kOk);
  EXPECT_EQ(h.run({"CONFIG", "SET", "notify-keyspace-events", "KEA"}), kOk);
  EXPECT_EQ(h.run({"CONFIG", "GET", "notify-keyspace-events"}),
            pair("notify-keyspace-events", "AKE"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "hz", "1000"}), kOk);
  EXPECT_EQ(h.run({"CONFIG", "GET", "hz"}), pair("hz", "500"));
}

TEST(ServerFamily, Memory) {
  Harness h;
  h.run({"SET", "k", "hello"});
  std::string r = h.run({"MEMORY", "USAGE", "k"});
  ASSERT_EQ(r[0], ':');
  long long small = std::stoll(r.substr(1));
  EXPECT_GT(small, 64);
  ASSERT_EQ(h.run({"SET", "j", std::string(1000, 'x')}), kOk);
  r = h.run({"MEMORY", "USAGE", "j", "SAMPLES", "5"});
  EXPECT_GE(std::stoll(r.substr(1)), small + 990);
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "nokey"}), kNil);
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "k", "SAMPLES", "x"}),
            error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"MEMORY", "USAGE", "k", "FOO"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"MEMORY", "USAGE"}),
            error("ERR wrong number of arguments for 'memory|usage' command"));
  EXPECT_EQ(h.run({"MEMORY", "PURGE"}), kOk);
  EXPECT_EQ(h.run({"MEMORY", "HELP"}).substr(0, 5), "*10\r\n");
}

// Collections count their elements: every encoding grows with its contents, and SAMPLES 0
// (measure all) agrees with the default sampling of 5 elements within 25% for uniform elements
// (skiplist nodes have random heights, so five samples are a rough mean).
TEST(ServerFamily, MemoryUsageOfCollections) {
  Harness h;
  auto usage = [&](const std::string& key, const char* samples = "5") {
    std::string r = h.run({"MEMORY", "USAGE", key, "SAMPLES", samples});
    EXPECT_EQ(r[0], ':') << r;
    return std::stoll(r.substr(1));
  };
  for (const char* type : {"list", "hash", "set", "intset", "zset"}) {
    std::string small = std::string(type) + ":small", big = std::string(type) + ":big";
    for (int i = 0; i < 2000; ++i) {
      std::string m = std::string(type) == "intset" ? std::to_string(i) : "member:" + std::to_string(i);
      for (const std::string& key : {small, big}) {
        if (key == small && i >= 4) continue;
        std::string t = type;
        if (t == "list") h.run({"RPUSH", key, m});
        if (t == "hash") h.run({"HSET", key, m, "value"});
        if (t == "set" || t == "intset") h.run({"SADD", key, m});
        if (t == "zset") h.run({"ZADD", key, std::to_string(i), m});
      }
    }
    long long s = usage(small), b = usage(big), all = usage(big, "0");
    EXPECT_GT(s, 64) << type;
    EXPECT_GT(b, s + 2000 * 2) << type;  // at least a few bytes per element
    EXPECT_NEAR(double(all), double(b), 0.25 * double(all)) << type;
  }
}

}  // namespace
