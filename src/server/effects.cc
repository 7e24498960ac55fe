#include "server/effects.h"

#include "ds/keyspace.h"
#include "protocol/number_format.h"
#include "stm/stm.h"

namespace stmkv {

namespace {

std::atomic<EffectsSink> g_sink{nullptr};

void append_resp_line(std::string& out, std::span<const std::string_view> argv) {
  char num[24];
  out += '*';
  out.append(num, protocol::ll2string(num, sizeof(num), int64_t(argv.size())));
  out += "\r\n";
  for (std::string_view a : argv) {
    out += '$';
    out.append(num, protocol::ll2string(num, sizeof(num), int64_t(a.size())));
    out += "\r\n";
    out.append(a);
    out += "\r\n";
  }
}

void deliver_locked(void* arg, uint64_t rev) {
  auto* fx = static_cast<Effects*>(arg);
  if (EffectsSink sink = g_sink.load(std::memory_order_acquire)) sink(*fx, rev);
}

// An expired key removed by a Db (ds/keyspace.h): a DEL in its database, before the line of the
// command that came across it (Redis 7.0 writes DEL, or UNLINK with lazyfree-lazy-expire).
void record_expired_key(int db, std::string_view key) {
  Effects::current().add_implicit(db, {std::string_view("DEL"), key});
}

}  // namespace

void set_effects_sink(EffectsSink sink) {
  g_sink.store(sink, std::memory_order_release);
  set_expired_key_hook(sink != nullptr ? record_expired_key : nullptr);
}

bool effects_enabled() { return g_sink.load(std::memory_order_relaxed) != nullptr; }

Effects& Effects::current() {
  static thread_local Effects effects;
  return effects;
}

void Effects::reset() {
  dbs_.clear();
  ends_.clear();
  resp_.clear();
  explicit_ = false;
  implicit_ = 0;
}

void Effects::end_command(bool is_write, bool answered_error, int db,
                          std::span<const std::string_view> argv) {
  if (explicit_ || !is_write || answered_error || !effects_enabled()) return;
  append_resp_line(resp_, argv);
  dbs_.push_back(db);
  ends_.push_back(resp_.size());
}

void Effects::add(int db, std::span<const std::string_view> argv) {
  explicit_ = true;
  if (!effects_enabled()) return;
  append_resp_line(resp_, argv);
  dbs_.push_back(db);
  ends_.push_back(resp_.size());
}

void Effects::add(int db, std::initializer_list<std::string_view> argv) {
  add(db, std::span<const std::string_view>(argv.begin(), argv.size()));
}

void Effects::add_implicit(int db, std::initializer_list<std::string_view> argv) {
  if (!effects_enabled()) return;
  append_resp_line(resp_, std::span<const std::string_view>(argv.begin(), argv.size()));
  dbs_.push_back(db);
  ends_.push_back(resp_.size());
  ++implicit_;
}

void Effects::write_resp(std::string& out, int* current_db) const {
  if (dbs_.empty()) return;
  const bool block = dbs_.size() - implicit_ > 1;
  // Redis writes the SELECT of a block's first command before its MULTI.
  auto select = [&](int db) {
    if (db == *current_db) return;
    std::string n = std::to_string(db);
    std::string_view line[] = {"SELECT", n};
    append_resp_line(out, line);
    *current_db = db;
  };
  select(dbs_[0]);
  if (block) out += "*1\r\n$5\r\nMULTI\r\n";
  size_t begin = 0;
  for (size_t i = 0; i < dbs_.size(); ++i) {
    select(dbs_[i]);
    out.append(resp_, begin, ends_[i] - begin);
    begin = ends_[i];
  }
  if (block) out += "*1\r\n$4\r\nEXEC\r\n";
}

void Effects::deliver_at_commit(stm::Tx& tx) {
  if (dbs_.empty()) return;
  tx.on_commit_locked(deliver_locked, this);
}

void Effects::deliver_now(stm::Heap& heap) {
  if (dbs_.empty()) return;
  auto& mu = heap.commit_lock();
  while (!mu.try_lock_for_us(1000)) {
  }
  deliver_locked(this, 0);
  mu.unlock();
  reset();
}

}  // namespace stmkv
