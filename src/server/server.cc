#include "server/server.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "ds/keyspace.h"
#include "persist/persistence.h"
#include "server/acl.h"

namespace stmkv {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ClientRegistry::add(ClientState* c) {
  std::lock_guard<std::mutex> g(mu_);
  clients_[c->id] = c;
}

void ClientRegistry::remove(ClientState* c) {
  std::lock_guard<std::mutex> g(mu_);
  clients_.erase(c->id);
}

size_t ClientRegistry::size() const {
  std::lock_guard<std::mutex> g(mu_);
  return clients_.size();
}

void ClientRegistry::for_each(const std::function<void(ClientState&)>& fn) const {
  std::lock_guard<std::mutex> g(mu_);
  for (auto& [id, c] : clients_) fn(*c);
}

Server::Server(const ServerConfig& cfg) : config_(cfg) {
  acl_ = std::make_unique<Acl>(cfg);  // throws on invalid users (user directives, aclfile)
  int n = effective_workers(cfg);
  stm::Config sc;
  sc.heap_bytes = static_cast<size_t>(cfg.heap_size);
  // One segment more than the workers: the snapshot view of BGSAVE/SAVE (persist/persistence.h).
  sc.max_workers = std::min(n + 1, kMaxWorkers);
  sc.inevitable_after = static_cast<int>(cfg.stm_inevitable_after);
  sc.reshare = cfg.stm_reshare;
  heap_ = std::make_unique<stm::Heap>(sc);
  int ncmds = CommandTable::instance().size();
  for (int i = 0; i < n; ++i) {
    auto w = std::make_unique<WorkerContext>();
    w->index = i;
    w->server = this;
    w->stm = std::make_unique<stm::Worker>(*heap_);
    w->command_counters = std::vector<CommandCounters>(ncmds);
    workers_.push_back(std::move(w));
  }
  create_databases(*workers_[0]->stm, static_cast<int>(cfg.databases));
  start_time_ms_ = now_ms();
  std::random_device rd;
  static const char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 40; ++i) run_id_ += kHex[rd() % 16];
  run_id_hash_ = std::hash<std::string>()(run_id_);
  tcp_port_ = cfg.port;
  persistence_ = std::make_unique<persist::Persistence>(*this);
}

Server::~Server() { persistence_.reset(); }

void Server::request_shutdown() {
  shutdown_.store(true, std::memory_order_release);
  if (wake_worker) {
    for (int i = 0; i < nworkers(); ++i) wake_worker(i);
  }
}

}  // namespace stmkv
