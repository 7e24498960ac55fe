// tests/fuzz/fuzz_commands.cc — libFuzzer target for command execution: the input is parsed as
// client requests (inline or RESP, through protocol::RequestParser) and every command runs
// through execute_command against one small server (one worker, 64 MB heap), as
// tests/server/harness.h does, alternating between two clients. Commands that would stop the
// process, touch files, sleep or run scripts are skipped, and so is any command with a number
// of 10000 or more among its arguments (huge counts and offsets would only measure the allocator).
// The keyspace is flushed every 256 inputs to keep the heap small.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"
#include "protocol/request_parser.h"
#include "server/acl.h"
#include "server/dispatch.h"
#include "server/server.h"

namespace {

struct World {
  std::unique_ptr<stmkv::Server> server;
  std::unique_ptr<stmkv::ClientState> clients[2];
  uint64_t runs = 0;

  World() {
    stmkv::ServerConfig cfg;
    cfg.workers = 1;
    cfg.heap_size = int64_t{64} << 20;
    cfg.port = 0;
    cfg.proto_max_bulk_len = int64_t{1} << 20;
    server = std::make_unique<stmkv::Server>(cfg);
    for (int i = 0; i < 2; ++i) {
      clients[i] = std::make_unique<stmkv::ClientState>();
      clients[i]->id = server->clients().next_id();
      clients[i]->addr = "127.0.0.1:" + std::to_string(50000 + i);
      clients[i]->laddr = "127.0.0.1:6379";
      server->clients().add(clients[i].get());
    }
  }
};

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool skipped(const std::vector<std::string_view>& argv) {
  static constexpr std::string_view kSkip[] = {
      "shutdown", "debug",  "save",     "bgsave",   "bgrewriteaof", "eval",   "evalsha",
      "eval_ro",  "evalsha_ro", "script", "function", "fcall",        "fcall_ro", "monitor",
      "sync",     "psync",  "replicaof", "slaveof", "failover",     "config", "acl",
      "pfselftest"};
  for (std::string_view s : kSkip) {
    if (iequal(argv[0], s)) return true;
  }
  for (std::string_view a : argv) {
    size_t digits = 0;
    for (char c : a) digits += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
    if (digits >= 5) return true;  // a number of 10000 or more somewhere
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  World& w = *world;
  if (++w.runs % 256 == 0) {
    for (int i = 0; i < 2; ++i) stmkv::multi_discard(*w.clients[i]);
    std::vector<std::string_view> flush = {"FLUSHALL"};
    protocol::ReplyWriter out(2);
    stmkv::execute_command(w.server->worker(0), *w.clients[0], flush, out);
  }
  protocol::ParserLimits limits;
  limits.max_bulk_len = 1 << 16;
  protocol::RequestParser parser(limits);
  parser.feed(reinterpret_cast<const char*>(data), size);
  int turn = 0;
  std::vector<std::string_view> argv;
  for (int n = 0; n < 64 && parser.next() == protocol::RequestParser::Status::kCommand; ++n) {
    protocol::CommandArgs args = parser.args();
    argv.clear();
    for (size_t i = 0; i < args.size(); ++i) argv.push_back(args[i]);
    if (skipped(argv)) continue;
    stmkv::ClientState& c = *w.clients[turn];
    turn ^= 1;
    protocol::ReplyWriter out(c.resp);
    stmkv::execute_command(w.server->worker(0), c, argv, out);
    c.close_after_reply = false;
    c.block_pending = false;
    c.block_keys.clear();
    c.kill_requested.store(false);
  }
  return 0;
}
