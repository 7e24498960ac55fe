// tests/server/harness.h — runs commands against a real Server without the network: each
// call goes through execute_command on one worker's segment, and returns the raw RESP reply.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/dispatch.h"
#include "server/server.h"

namespace stmkv_test {

class Harness {
 public:
  // A server with `workers` workers and a small heap; `clients` clients, client i on worker
  // i % workers, all in database 0 with RESP2.
  explicit Harness(int workers = 2, int clients = 2) {
    stmkv::ServerConfig cfg;
    cfg.workers = workers;
    cfg.heap_size = int64_t{256} << 20;
    cfg.port = 0;
    server_ = std::make_unique<stmkv::Server>(cfg);
    for (int i = 0; i < clients; ++i) {
      auto c = std::make_unique<stmkv::ClientState>();
      c->id = server_->clients().next_id();
      c->worker = i % workers;
      c->addr = "127.0.0.1:" + std::to_string(40000 + i);
      c->laddr = "127.0.0.1:6379";
      server_->clients().add(c.get());
      clients_.push_back(std::move(c));
    }
  }
  ~Harness() {
    for (auto& c : clients_) server_->clients().remove(c.get());
  }

  // Runs argv as client `client` and returns the RESP reply bytes.
  std::string run(std::vector<std::string> argv, int client = 0) {
    std::vector<std::string_view> views(argv.begin(), argv.end());
    stmkv::ClientState& c = *clients_[client];
    protocol::ReplyWriter out(c.resp);
    stmkv::execute_command(server_->worker(c.worker), c, views, out);
    return out.take();
  }

  stmkv::Server& server() { return *server_; }
  stmkv::ClientState& client(int i) { return *clients_[i]; }

 private:
  std::unique_ptr<stmkv::Server> server_;
  std::vector<std::unique_ptr<stmkv::ClientState>> clients_;
};

// RESP helpers for expectations.
inline std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
inline std::string integer(long long v) { return ":" + std::to_string(v) + "\r\n"; }
inline std::string error(std::string_view msg) {
  std::string s(1, '-');
  s.append(msg);
  s.append("\r\n");
  return s;
}
inline const std::string kOk = "+OK\r\n";
inline const std::string kNil = "$-1\r\n";

}  // namespace stmkv_test
