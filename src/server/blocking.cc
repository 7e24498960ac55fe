#include "server/blocking.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "commands/util.h"
#include "server/server.h"

namespace stmkv {

void BlockingRegistry::set_waker(std::function<void(int)> fn) {
  std::lock_guard<std::mutex> g(mu_);
  waker_ = std::move(fn);
}

void BlockingRegistry::add(Waiter* w) {
  std::lock_guard<std::mutex> g(mu_);
  for (const std::string& k : w->keys) {
    auto& q = queues_[std::make_pair(w->db, k)];
    if (std::find(q.begin(), q.end(), w) == q.end()) q.push_back(w);
  }
  w->ready = false;
  count_.fetch_add(1, std::memory_order_seq_cst);
}

void BlockingRegistry::remove(Waiter* w) {
  std::lock_guard<std::mutex> g(mu_);
  bool found = false;
  for (const std::string& k : w->keys) {
    auto it = queues_.find(std::make_pair(w->db, k));
    if (it == queues_.end()) continue;
    auto& q = it->second;
    auto pos = std::find(q.begin(), q.end(), w);
    if (pos != q.end()) {
      q.erase(pos);
      found = true;
    }
    if (q.empty()) queues_.erase(it);
  }
  if (w->ready) {
    auto& r = ready_[w->worker];
    r.erase(std::remove(r.begin(), r.end(), w), r.end());
    w->ready = false;
  }
  if (found) count_.fetch_sub(1, std::memory_order_seq_cst);
}

void BlockingRegistry::signal(int db, std::string_view key) {
  if (count_.load(std::memory_order_seq_cst) == 0) return;
  int wake = -1;
  std::function<void(int)> waker;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = queues_.find(std::make_pair(db, std::string(key)));
    if (it == queues_.end() || it->second.empty()) return;
    Waiter* first = it->second.front();
    if (first->ready) return;
    first->ready = true;
    ready_[first->worker].push_back(first);
    wake = first->worker;
    waker = waker_;
  }
  if (waker) waker(wake);
}

std::vector<Waiter*> BlockingRegistry::take_ready(int worker) {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<Waiter*> out;
  auto it = ready_.find(worker);
  if (it == ready_.end()) return out;
  out.swap(it->second);
  for (Waiter* w : out) w->ready = false;
  return out;
}

size_t BlockingRegistry::waiters(int db, std::string_view key) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = queues_.find(std::make_pair(db, std::string(key)));
  return it == queues_.end() ? 0 : it->second.size();
}

void signal_key_ready(CommandContext& ctx, int db, std::string_view key) {
  BlockingRegistry* reg = &ctx.server.blocking;
  // The check of the registry happens after the commit (a client registering meanwhile
  // re-checks its keys itself), so a push is never missed.
  ctx.tx().on_commit([reg, db, k = std::string(key)] { reg->signal(db, k); });
}

void signal_key_ready(CommandContext& ctx, std::string_view key) {
  signal_key_ready(ctx, ctx.client.db, key);
}

bool request_block(CommandContext& ctx, std::vector<std::string> keys, int64_t timeout_ms,
                   bool null_array) {
  if (ctx.in_exec || ctx.client.multi.active) return false;
  ClientState* c = &ctx.client;
  ctx.tx().on_commit([c, keys = std::move(keys), timeout_ms, null_array]() mutable {
    c->block_pending = true;
    c->block_keys = std::move(keys);
    c->block_timeout_ms = timeout_ms;
    c->block_null_array = null_array;
  });
  return true;
}

bool parse_block_timeout(CommandContext& ctx, std::string_view arg, int64_t* timeout_ms) {
  // getLongDoubleFromObject: strtold, no leading space, no trailing bytes, no NaN.
  std::string buf(arg);
  char* end = nullptr;
  errno = 0;
  long double d = buf.empty() || std::isspace(static_cast<unsigned char>(buf[0]))
                      ? 0
                      : std::strtold(buf.c_str(), &end);
  if (buf.empty() || end != buf.c_str() + buf.size() || std::isnan(d) || errno == ERANGE) {
    ctx.out.add_error("ERR timeout is not a float or out of range");
    return false;
  }
  long double ms = std::ceil(d * 1000.0L);
  // Redis casts to long long: values out of range come out negative on x86-64.
  if (!(ms >= -9.2e18L && ms < 9.2e18L) || ms < 0) {
    ctx.out.add_error("ERR timeout is negative");
    return false;
  }
  int64_t v = static_cast<int64_t>(ms);
  if (v > 0 && v > std::numeric_limits<int64_t>::max() - ctx.now_ms) {
    ctx.out.add_error("ERR timeout is out of range");
    return false;
  }
  *timeout_ms = v;
  return true;
}

}  // namespace stmkv
