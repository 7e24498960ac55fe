// persist/aof.cc — the AOF's recording side: the sink, the writer thread (write + fsync as
// appendfsync says, group commit for always), the reply gate, the cron (config changes,
// automatic rewrites) and INFO. Rewriting and loading: aof_rewrite.cc.
#include "persist/aof.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "net/log.h"
#include "persist/persistence.h"
#include "server/effects.h"
#include "server/server.h"
#include "stm/heap.h"

namespace stmkv::persist {

namespace {

std::atomic<Aof*> g_aof{nullptr};
// The reply gate: on while appendfsync is always and the AOF records.
std::atomic<bool> g_gate{false};
std::atomic<const std::atomic<uint64_t>*> g_appended{nullptr};
std::atomic<const std::atomic<uint64_t>*> g_synced{nullptr};
std::mutex g_waker_mu;
std::function<void()> g_waker;  // guarded by g_waker_mu

// Takes the heap's commit lock (no transaction commits meanwhile).
template <class F>
void under_commit_lock(Server& server, F&& f) {
  auto& mu = server.heap().commit_lock();
  while (!mu.try_lock_for_us(1000)) {
  }
  f();
  mu.unlock();
}

}  // namespace

uint64_t Aof::sync_target() {
  if (!g_gate.load(std::memory_order_acquire)) return 0;
  const std::atomic<uint64_t>* a = g_appended.load(std::memory_order_acquire);
  return a == nullptr ? 0 : a->load(std::memory_order_acquire);
}

bool Aof::synced(uint64_t target) {
  if (!g_gate.load(std::memory_order_acquire)) return true;
  const std::atomic<uint64_t>* s = g_synced.load(std::memory_order_acquire);
  return s == nullptr || s->load(std::memory_order_acquire) >= target;
}

Aof::Aof(Server& server, Persistence& persistence) : server_(server), persistence_(persistence) {}

Aof::~Aof() { shutdown(); }

std::string Aof::aof_dir() {
  std::lock_guard<std::mutex> g(server_.config_lock());
  return aof_join_path(server_.config().dir, server_.config().appenddirname);
}

std::string Aof::prefix() {
  std::lock_guard<std::mutex> g(server_.config_lock());
  return server_.config().appendfilename;
}

void Aof::set_fsync_mode() {
  std::string mode;
  bool no_on_rewrite;
  {
    std::lock_guard<std::mutex> g(server_.config_lock());
    mode = server_.config().appendfsync;
    no_on_rewrite = server_.config().no_appendfsync_on_rewrite;
  }
  Fsync f = mode == "always" ? Fsync::kAlways : mode == "no" ? Fsync::kNo : Fsync::kEverysec;
  no_fsync_on_rewrite_ = no_on_rewrite;
  Fsync old = fsync_.exchange(f);
  bool gate = enabled_.load() && f == Fsync::kAlways;
  if (g_aof.load() == this) g_gate.store(gate, std::memory_order_release);
  if (old == Fsync::kAlways && f != Fsync::kAlways) wake_workers();  // release held replies
}

void Aof::set_waker(std::function<void()> fn) {
  std::lock_guard<std::mutex> g(g_waker_mu);
  g_waker = std::move(fn);
}

void Aof::wake_workers() {
  std::lock_guard<std::mutex> g(g_waker_mu);
  if (g_waker) g_waker();
}

// --- the sink (inside the commit critical section) ---

void Aof::sink(const Effects& fx, uint64_t rev) {
  Aof* a = g_aof.load(std::memory_order_acquire);
  if (a == nullptr) return;
  bool notify;
  {
    std::lock_guard<std::mutex> g(a->mu_);
    size_t before = a->buf_.size();
    fx.write_resp(a->buf_, &a->sink_db_);
    if (rev != 0) a->last_rev_ = rev;
    a->marks_.push_back(Mark{a->last_rev_, a->buf_.size(), a->sink_db_});
    a->appended_.fetch_add(a->buf_.size() - before, std::memory_order_release);
    // Only a waiting writer needs the (system call) wake-up; a busy one finds the bytes on its
    // next round.
    notify = a->writer_waiting_ && a->fsync_.load(std::memory_order_relaxed) == Fsync::kAlways;
  }
  if (notify) a->cv_.notify_one();
}

// Installs or removes the sink under the commit lock: no transaction is half-recorded.
void Aof::install_sink(bool on) {
  under_commit_lock(server_, [&] {
    if (on) {
      {
        std::lock_guard<std::mutex> g(mu_);
        sink_db_ = -1;  // the first record of a file selects its database
      }
      g_appended.store(&appended_);
      g_synced.store(&synced_);
      g_aof.store(this, std::memory_order_release);
      enabled_ = true;
      set_effects_sink(&Aof::sink);
    } else {
      set_effects_sink(nullptr);
      enabled_ = false;
    }
  });
  set_fsync_mode();
  if (!on) {
    g_gate.store(false);
    wake_workers();
  }
}

// --- the writer thread ---

bool Aof::open_incr(const std::string& name, std::string* error) {
  std::string path = aof_join_path(aof_dir(), name);
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "Can't open the append-only file " + path + ": " + std::strerror(errno);
    return false;
  }
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
  struct stat st;
  if (fstat(fd, &st) == 0) incr_size_ = uint64_t(st.st_size);
  return true;
}

void Aof::write_bytes(std::string_view data) {
  if (fd_ < 0) return;  // records before the first base (CONFIG SET appendonly yes)
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd_, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (fsync_.load() == Fsync::kAlways) {
        // As Redis: replies wait for this data; there is no way to honour them.
        server_log(LogLevel::kWarning,
                   std::string("Can't recover from AOF write error when the AOF fsync policy "
                               "is 'always'. Exiting... (") + std::strerror(errno) + ")");
        _exit(1);
      }
      if (last_write_ok_.exchange(false)) {
        server_log(LogLevel::kWarning, std::string("Error writing to the AOF file: ") +
                                           std::strerror(errno));
      }
      return;
    }
    off += size_t(n);
  }
  incr_size_.fetch_add(data.size());
  if (!last_write_ok_.exchange(true)) {
    server_log(LogLevel::kWarning, "AOF write error looks solved, Redis can write again.");
  }
}

void Aof::writer_main() {
  std::string local;
  std::vector<Mark> marks;
  std::unique_lock<std::mutex> g(mu_);
  while (true) {
    Fsync mode = fsync_.load();
    writer_waiting_ = true;
    // While a switch waits for the snapshot's revision nothing may be written: sleep until it
    // is known (not spin on a non-empty buffer, which would starve the rewrite of mu_).
    cv_.wait_for(g, std::chrono::milliseconds(mode == Fsync::kAlways ? 100 : 10), [&] {
      return stop_writer_ || switch_ == Switch::kKnown ||
             (switch_ != Switch::kPendingRev && fsync_.load() == Fsync::kAlways &&
              !buf_.empty());
    });
    writer_waiting_ = false;
    if (switch_ == Switch::kPendingRev && !stop_writer_) continue;  // until the snapshot's rev
    bool stopping = stop_writer_;
    local.swap(buf_);
    marks.swap(marks_);
    uint64_t batch_end = appended_.load(std::memory_order_relaxed);
    Switch sw = switch_;
    uint64_t srev = switch_rev_;
    std::string new_name = switch_name_;
    g.unlock();
    size_t begin = 0;
    if (sw == Switch::kKnown) {
      // Records of revisions <= srev are in the snapshot: they end the old file.
      size_t cut = 0;
      for (const Mark& m : marks) {
        if (m.rev > srev) break;
        cut = m.end;
        writer_db_ = m.db;
      }
      write_bytes(std::string_view(local).substr(0, cut));
      if (fd_ >= 0) fdatasync(fd_);
      std::string error;
      if (!open_incr(new_name, &error)) {
        server_log(LogLevel::kWarning, error);
        last_write_ok_ = false;
      } else {
        server_log(LogLevel::kNotice,
                   "Creating AOF incr file " + new_name + " on background rewrite");
        incr_size_ = 0;
        // The manifest lists the new file before anything is written to it, so that what is
        // fsynced there survives a crash even if the rewrite then fails.
        g.lock();
        std::string text;
        if (switch_persist_) {
          manifest_.incrs.push_back(AofFileInfo{new_name, switch_seq_, 'i'});
          text = format_aof_manifest(manifest_);
        }
        g.unlock();
        if (!text.empty() &&
            !write_file_atomically(aof_dir(), aof_manifest_name(prefix()), text, &error)) {
          server_log(LogLevel::kWarning, error);
        }
      }
      if (writer_db_ >= 0) {
        std::string db = std::to_string(writer_db_);
        write_bytes("*2\r\n$6\r\nSELECT\r\n$" + std::to_string(db.size()) + "\r\n" + db + "\r\n");
      }
      begin = cut;
      g.lock();
      switch_ = Switch::kDone;
      g.unlock();
      rw_cv_.notify_all();
      cv_.notify_all();
    }
    if (begin < local.size()) write_bytes(std::string_view(local).substr(begin));
    if (!marks.empty()) writer_db_ = marks.back().db;
    written_ = batch_end;
    bool skip = false;
    if (no_fsync_on_rewrite_.load()) {
      std::lock_guard<std::mutex> r(rw_mu_);
      skip = rewriting_;
    }
    mode = fsync_.load();
    int64_t now = now_ms();
    if (mode == Fsync::kAlways) {
      if (fd_ >= 0 && !local.empty() && !skip && fdatasync(fd_) != 0) {
        server_log(LogLevel::kWarning,
                   std::string("Can't persist AOF for fsync error when the AOF fsync policy is "
                               "'always': ") + std::strerror(errno) + ". Exiting...");
        _exit(1);
      }
      last_fsync_ms_ = now;
    } else if (mode == Fsync::kEverysec && now - last_fsync_ms_ >= 1000) {
      if (fd_ >= 0 && !skip) fdatasync(fd_);
      last_fsync_ms_ = now;
    }
    uint64_t before = synced_.exchange(batch_end, std::memory_order_release);
    if (mode == Fsync::kAlways && batch_end != before) wake_workers();
    local.clear();
    marks.clear();
    g.lock();
    if (stopping && buf_.empty()) break;
  }
  g.unlock();
  if (fd_ >= 0) {
    fsync(fd_);
    close(fd_);
    fd_ = -1;
  }
}

// --- cron: config changes, scheduled and automatic rewrites ---

void Aof::start() {
  cron_ = std::thread([this] { cron_main(); });
}

void Aof::cron_main() {
  std::unique_lock<std::mutex> g(rw_mu_);
  while (!stop_cron_) {
    rw_cv_.wait_for(g, std::chrono::milliseconds(100));
    if (stop_cron_) break;
    bool want, pct_ok;
    int64_t pct, min_size;
    {
      std::lock_guard<std::mutex> c(server_.config_lock());
      want = server_.config().appendonly;
      pct = server_.config().auto_aof_rewrite_percentage;
      min_size = server_.config().auto_aof_rewrite_min_size;
    }
    (void)pct_ok;
    bool rewriting = rewriting_;
    g.unlock();
    set_fsync_mode();
    if (want && !enabled_.load() && !rewriting) {
      server_log(LogLevel::kNotice, "Background append only file rewriting started");
      start_rewrite_thread(true);
    } else if (!want && enabled_.load() && !rewriting) {
      disable();
    } else if (enabled_.load() && !rewriting) {
      bool start = false;
      {
        std::lock_guard<std::mutex> l(rw_mu_);
        start = scheduled_ && !persistence_.save_in_progress();
      }
      uint64_t cur = files_size(), base = base_size_.load();
      if (!start && pct > 0 && cur > uint64_t(min_size)) {
        uint64_t b = base ? base : 1;
        uint64_t growth = (cur * 100 / b) - 100;
        if (growth >= uint64_t(pct) && !persistence_.save_in_progress()) {
          server_log(LogLevel::kNotice, "Starting automatic rewriting of AOF on " +
                                            std::to_string(growth) + "% growth");
          start = true;
        }
      }
      if (start) start_rewrite_thread(false);
    }
    g.lock();
  }
}

uint64_t Aof::files_size() { return base_size_.load() + incr_size_.load(); }

void Aof::disable() {
  // As Redis's stopAppendOnly: write and fsync what is buffered, then stop recording.
  install_sink(false);
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_writer_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_writer_ = false;
    writer_running_ = false;
    buf_.clear();
    marks_.clear();
  }
  server_log(LogLevel::kNotice, "Calling fsync() on the AOF file.");
}

void Aof::shutdown() {
  {
    std::lock_guard<std::mutex> g(rw_mu_);
    if (shut_) return;
    shut_ = true;
    stop_cron_ = true;
  }
  rw_cv_.notify_all();
  if (cron_.joinable()) cron_.join();
  wait_rewrite();
  if (enabled_.load() || writer_.joinable()) disable();
  if (g_aof.load() == this) g_aof.store(nullptr);
}

void Aof::wait_rewrite() {
  std::unique_lock<std::mutex> g(rw_mu_);
  rw_cv_.wait(g, [&] { return !rewriting_; });
  if (rewrite_thread_.joinable()) rewrite_thread_.join();
}

Aof::Rewrite Aof::bgrewrite() {
  {
    std::lock_guard<std::mutex> g(rw_mu_);
    if (rewriting_) return Rewrite::kInProgress;
    if (persistence_.save_in_progress()) {
      scheduled_ = true;
      return Rewrite::kScheduled;
    }
  }
  start_rewrite_thread(false);
  return Rewrite::kStarted;
}

void Aof::start_rewrite_thread(bool enabling) {
  std::unique_lock<std::mutex> g(rw_mu_);
  if (rewriting_) return;
  rewriting_ = true;
  scheduled_ = false;
  if (rewrite_thread_.joinable()) rewrite_thread_.join();
  rewrite_start_ms_ = now_ms();
  rewrite_thread_ = std::thread([this, enabling] {
    std::string error;
    int64_t t0 = now_ms();
    bool ok = rewrite(enabling, &error);
    if (!ok && error.empty()) {
      // A SAVE/BGSAVE holds the snapshot slot: run once it ends.
      std::lock_guard<std::mutex> l(rw_mu_);
      scheduled_ = !enabling;
    } else {
      last_rewrite_ok_ = ok;
      last_rewrite_time_s_ = (now_ms() - t0) / 1000;
      if (ok) {
        rewrites_.fetch_add(1);
        server_log(LogLevel::kNotice, "Background AOF rewrite finished successfully");
      } else {
        rewrite_failures_.fetch_add(1);
        server_log(LogLevel::kWarning, "Background AOF rewrite failed: " + error);
      }
    }
    std::lock_guard<std::mutex> l(rw_mu_);
    rewriting_ = false;
    rw_cv_.notify_all();
  });
}

// --- INFO ---

void Aof::info(std::vector<std::pair<std::string, std::string>>& out) {
  bool rewriting, scheduled;
  {
    std::lock_guard<std::mutex> g(rw_mu_);
    rewriting = rewriting_;
    scheduled = scheduled_;
  }
  size_t buffered;
  {
    std::lock_guard<std::mutex> g(mu_);
    buffered = buf_.size();
  }
  auto s = [](auto v) { return std::to_string(v); };
  bool on = enabled_.load();
  out.push_back({"aof_enabled", on ? "1" : "0"});
  out.push_back({"aof_rewrite_in_progress", rewriting ? "1" : "0"});
  out.push_back({"aof_rewrite_scheduled", scheduled ? "1" : "0"});
  out.push_back({"aof_last_rewrite_time_sec", s(last_rewrite_time_s_.load())});
  out.push_back({"aof_current_rewrite_time_sec",
                 s(rewriting ? (now_ms() - rewrite_start_ms_.load()) / 1000 : int64_t{-1})});
  out.push_back({"aof_last_bgrewrite_status", last_rewrite_ok_.load() ? "ok" : "err"});
  out.push_back({"aof_rewrites", s(rewrites_.load())});
  out.push_back({"aof_rewrites_consecutive_failures", s(rewrite_failures_.load())});
  out.push_back({"aof_last_write_status", last_write_ok_.load() ? "ok" : "err"});
  out.push_back({"aof_last_cow_size", s(last_cow_.load())});
  out.push_back({"module_fork_in_progress", "0"});
  out.push_back({"module_fork_last_cow_size", "0"});
  if (on) {
    out.push_back({"aof_current_size", s(files_size())});
    out.push_back({"aof_base_size", s(base_size_.load())});
    out.push_back({"aof_pending_rewrite", scheduled ? "1" : "0"});
    out.push_back({"aof_buffer_length", s(buffered)});
    out.push_back({"aof_pending_bio_fsync", "0"});
    out.push_back({"aof_delayed_fsync", s(delayed_fsync_.load())});
  }
}

}  // namespace stmkv::persist
