#include "persist/persistence.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "ds/keyspace.h"
#include "net/log.h"
#include "persist/aof.h"
#include "persist/rdb.h"
#include "scripting/scripting.h"
#include "server/server.h"
#include "stm/commit_log.h"
#include "stm/heap.h"

namespace stmkv::persist {

namespace {

// Bytes of commit-log entries appended after a snapshot's revision: the engine keeps them
// until the snapshot's transaction ends. Walks only entries it has not seen (each once).
class LogMeter {
 public:
  explicit LogMeter(stm::detail::LogEntry* start) : cursor_(start) {}
  uint64_t advance() {
    for (stm::detail::LogEntry* e = cursor_->next.load(std::memory_order_acquire); e != nullptr;
         e = e->next.load(std::memory_order_acquire)) {
      bytes_ +=
          sizeof(stm::detail::LogEntry) + e->nslices * sizeof(stm::detail::LogSlice) + e->nbytes;
      cursor_ = e;
    }
    return bytes_;
  }

 private:
  stm::detail::LogEntry* cursor_;
  uint64_t bytes_ = 0;
};

std::string join_path(const std::string& dir, const std::string& file) {
  if (dir.empty()) return file;
  if (dir.back() == '/') return dir + file;
  return dir + "/" + file;
}

}  // namespace

Persistence::Persistence(Server& server) : server_(server) {
  last_save_s_ = server.start_time_ms() / 1000;
  aof_ = std::make_unique<Aof>(server, *this);
}

Persistence::~Persistence() {
  aof_->shutdown();
  stop_cron();
  wait_bgsave();
}

void Persistence::stop_cron() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (cron_thread_.joinable()) cron_thread_.join();
}

std::string Persistence::rdb_path() {
  std::lock_guard<std::mutex> g(server_.config_lock());
  return join_path(server_.config().dir, server_.config().dbfilename);
}

// Redis's server.dirty, approximately: write commands executed (each command of an EXEC block
// counts) plus keys expired, summed over the workers. Internal commits (the active expiry's
// and resizing's own transactions) are not changes.
uint64_t Persistence::change_count() {
  const CommandTable& t = CommandTable::instance();
  uint64_t n = 0;
  for (int w = 0; w < server_.nworkers(); ++w) {
    WorkerContext& wc = server_.worker(w);
    for (int id = 0; id < t.size() && size_t(id) < wc.command_counters.size(); ++id) {
      if (t.by_id(id).flags & kCmdWrite) {
        n += wc.command_counters[size_t(id)].calls.load(std::memory_order_relaxed);
      }
    }
    n += wc.expired_keys.load(std::memory_order_relaxed);
  }
  return n;
}

uint64_t Persistence::changes_since_last_save() {
  uint64_t now = change_count(), saved = saved_changes_.load();
  return now > saved ? now - saved : 0;
}

// --- loading ---

std::optional<std::string> Persistence::load_file(const std::string& path, WorkerContext& wc) {
  try {
    return load_file_or_throw(path, wc);
  } catch (const std::exception& e) {  // std::bad_alloc: the heap (heap-size) is full
    loading_ = false;
    return std::string("Error loading the RDB (") + e.what() + "; is heap-size large enough?)";
  }
}

std::optional<std::string> Persistence::load_file_or_throw(const std::string& path,
                                                           WorkerContext& wc) {
  stm::Worker& w = *wc.stm;
  std::string data;
  {
    std::ifstream f(path, std::ios::binary);
    if (!f) return "Can't open " + path + ": " + std::strerror(errno);
    std::ostringstream ss;
    ss << f.rdbuf();
    data = std::move(ss).str();
  }
  ServerConfig cfg;
  {
    std::lock_guard<std::mutex> g(server_.config_lock());
    cfg = server_.config();
  }
  LoadLimits lim = LoadLimits::from(cfg);
  loading_ = true;
  struct Pending {
    int db;
    std::string key;
    LoadedValue value;
    int64_t expire;
  };
  std::vector<Pending> batch;
  size_t batch_bytes = 0;
  uint64_t loaded = 0, expired = 0;
  std::vector<bool> touched(static_cast<size_t>(cfg.databases), false);
  int64_t start_ms = now_ms();
  auto flush = [&] {
    if (batch.empty()) return;
    w.atomically([&](stm::Tx& tx) {
      for (Pending& p : batch) {
        Db db(tx, p.db, start_ms);
        Encoding enc;
        stm::RawRef obj = make_loaded_value(tx, p.value, lim, &enc);
        db.set(p.key, p.value.type, obj, enc, p.expire);
      }
    });
    batch.clear();
    batch_bytes = 0;
    // Grow the tables as the keys arrive (each resize step is its own short transaction).
    for (size_t i = 0; i < touched.size(); ++i) {
      if (!touched[i]) continue;
      while (w.atomically(
          [&](stm::Tx& tx) { return Db(tx, int(i), start_ms).resize_step(1 << 16); })) {
      }
    }
  };
  std::vector<std::string> functions;
  std::optional<std::string> err = parse_rdb(
      data, cfg.rdbchecksum, static_cast<int>(cfg.databases),
      [&](int db, std::string key, LoadedValue v, int64_t expire) {
        if (v.empty()) return;
        if (expire != kNoExpire && expire < start_ms && !expiry_paused()) {  // AOF base: kept
          ++expired;
          return;
        }
        size_t sz = key.size() + 16;
        for (const std::string& s : v.items) sz += s.size() + 16;
        for (const auto& z : v.zset) sz += z.first.size() + 24;
        touched[static_cast<size_t>(db)] = true;
        batch.push_back(Pending{db, std::move(key), std::move(v), expire});
        batch_bytes += sz;
        ++loaded;
        if (batch.size() >= 256 || batch_bytes >= (size_t{4} << 20)) flush();
      },
      [&](std::string code) { functions.push_back(std::move(code)); });
  if (!err) flush();
  if (!err && !functions.empty()) {
    // Function libraries (FUNCTION2), replacing libraries of the same names.
    std::string e = scripting::load_function_libraries(server_, wc, functions, true);
    if (!e.empty()) err = "Failed loading the RDB's functions: " + e;
  }
  loading_ = false;
  if (err) return err;
  last_load_keys_loaded_ = loaded;
  last_load_keys_expired_ = expired;
  saved_changes_ = change_count();
  server_log(LogLevel::kNotice, "Done loading RDB, keys loaded: " + std::to_string(loaded) +
                                    ", keys expired: " + std::to_string(expired) + ".");
  return std::nullopt;
}

std::optional<std::string> Persistence::load_at_startup(WorkerContext& wc) {
  std::string path = rdb_path();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    saved_changes_ = change_count();
    return std::nullopt;  // no file: an empty dataset, as Redis
  }
  int64_t t0 = now_ms();
  if (std::optional<std::string> err = load_file(path, wc)) return err;
  server_log(LogLevel::kNotice,
             "DB loaded from disk: " + std::to_string(double(now_ms() - t0) / 1000.0) + " seconds");
  return std::nullopt;
}

// --- saving ---

bool Persistence::try_begin_save() {
  std::lock_guard<std::mutex> g(mu_);
  if (saving_) return false;
  saving_ = true;
  return true;
}

Persistence::Result Persistence::snapshot_to(const std::string& path,
                                             const std::function<void(uint64_t)>& at_revision) {
  Result r;
  ServerConfig cfg;
  {
    std::lock_guard<std::mutex> g(server_.config_lock());
    cfg = server_.config();
  }
  SaveOptions opt;
  opt.compress = cfg.rdbcompression;
  opt.checksum = cfg.rdbchecksum;
  opt.list_max_listpack_size = cfg.list_max_listpack_size;
  opt.functions = scripting::function_library_codes(server_);
  std::string tmp = join_path(cfg.dir, "temp-" + std::to_string(getpid()) + "-" +
                                           std::to_string(temp_counter_.fetch_add(1)) + ".rdb");
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    r.error = "Failed opening the temp RDB file " + tmp + " for saving: " + std::strerror(errno);
    return r;
  }
  stm::Heap& heap = server_.heap();
  uint64_t used_mem = heap.stats(0).heap_bytes_used;
  keys_processed_ = 0;
  keys_total_ = 0;
  current_overhead_ = 0;
  bool write_ok = false;
  r.changes = change_count();  // changes after this point may be missing from the file
  std::unique_ptr<stm::Worker> worker;
  try {
    worker = std::make_unique<stm::Worker>(heap);  // attaches the spare segment
  } catch (const std::runtime_error& e) {
    close(fd);
    unlink(tmp.c_str());
    r.error = std::string("No heap segment is free for the snapshot: ") + e.what();
    return r;
  }
  {
    // The spare segment: a point-in-time view for the whole save.
    stm::Worker& snap = *worker;
    snap.atomically([&](stm::Tx& tx) {
      if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        write_ok = false;
        return;
      }
      int64_t now = now_ms();
      stm::detail::Segment& seg = heap.segment(snap.segment());
      r.revision = seg.imported_through.load(std::memory_order_acquire);
      if (at_revision) at_revision(r.revision);
      LogMeter meter(seg.last_imported);
      uint64_t total = 0;
      for (int i = 0; i < cfg.databases; ++i) total += uint64_t(Db(tx, i, now).size());
      keys_total_ = total;
      RdbOutput out(fd);
      SaveStats st = write_rdb(out, tx, static_cast<int>(cfg.databases), now, used_mem, opt,
                               [&](uint64_t keys) {
                                 keys_processed_ = keys;
                                 if ((keys & 65535) == 0) current_overhead_ = meter.advance();
                               });
      write_ok = out.flush();
      r.keys = st.keys;
      keys_processed_ = st.keys;
      r.overhead = meter.advance();
      current_overhead_ = r.overhead;
    });
  }
  worker.reset();
  if (write_ok && fsync(fd) != 0) write_ok = false;
  int saved_errno = errno;
  close(fd);
  if (!write_ok) {
    unlink(tmp.c_str());
    r.error = std::string("Write error saving DB on disk: ") + std::strerror(saved_errno);
    return r;
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    r.error = "Error moving temp DB file " + tmp + " on the final destination " + path + ": " +
              std::strerror(errno);
    unlink(tmp.c_str());
    return r;
  }
  r.ok = true;
  return r;
}

void Persistence::end_save(const Result& r, bool background, int64_t started_ms) {
  if (r.ok) {
    saved_changes_ = r.changes;
    last_save_s_ = now_ms() / 1000;
    saves_.fetch_add(1);
    last_overhead_ = r.overhead;
    server_log(LogLevel::kNotice,
               std::string(background ? "Background saving" : "DB saved on disk") +
                   (background ? " terminated with success" : "") + " (" + std::to_string(r.keys) +
                   " keys, snapshot overhead " + std::to_string(r.overhead) + " bytes)");
  } else {
    server_log(LogLevel::kWarning, r.error);
  }
  if (background) {
    last_bgsave_ok_ = r.ok;
    last_bgsave_time_s_ = (now_ms() - started_ms) / 1000;
  }
  std::lock_guard<std::mutex> g(mu_);
  saving_ = false;
}

bool Persistence::snapshot_for_aof(const std::string& path,
                                   const std::function<void(uint64_t)>& at_revision,
                                   uint64_t* overhead, std::string* error) {
  if (!try_begin_save()) {
    error->clear();
    return false;
  }
  Result r = snapshot_to(path, at_revision);
  {
    std::lock_guard<std::mutex> g(mu_);
    saving_ = false;
  }
  *overhead = r.overhead;
  if (!r.ok) *error = r.error.empty() ? "snapshot failed" : r.error;
  return r.ok;
}

bool Persistence::save_in_progress() {
  std::lock_guard<std::mutex> g(mu_);
  return saving_;
}

bool Persistence::save(std::string* error) {
  if (!try_begin_save()) {
    *error = "ERR Background save already in progress";
    return false;
  }
  Result r = snapshot_to(rdb_path());
  end_save(r, false, 0);
  if (!r.ok) *error = "ERR";
  return r.ok;
}

Persistence::Bgsave Persistence::bgsave(bool schedule) {
  std::unique_lock<std::mutex> g(mu_);
  // bg_running_ stays set until the previous BGSAVE thread needs mu_ no more, so joining it
  // below (under mu_) cannot wait for a thread that waits for mu_.
  if (saving_ || bg_running_) {
    if (schedule && !bg_running_) {
      bg_scheduled_ = true;  // a foreground SAVE runs: start once it ends
      return Bgsave::kScheduled;
    }
    return Bgsave::kInProgress;
  }
  saving_ = true;
  bg_running_ = true;
  if (bg_thread_.joinable()) bg_thread_.join();  // a finished previous BGSAVE
  last_bgsave_try_s_ = now_ms() / 1000;
  int64_t started = now_ms();
  bgsave_start_ms_ = started;
  bg_thread_ = std::thread([this, started] {
    server_log(LogLevel::kNotice, "Background saving started");
    Result r = snapshot_to(rdb_path());
    end_save(r, true, started);
    std::lock_guard<std::mutex> l(mu_);
    bg_running_ = false;
    cv_.notify_all();
  });
  return Bgsave::kStarted;
}

void Persistence::wait_bgsave() {
  std::unique_lock<std::mutex> g(mu_);
  cv_.wait(g, [&] { return !bg_running_; });
  if (bg_thread_.joinable()) bg_thread_.join();
}

void Persistence::start() {
  cron_thread_ = std::thread([this] { cron(); });
}

void Persistence::cron() {
  std::unique_lock<std::mutex> g(mu_);
  while (!stop_) {
    cv_.wait_for(g, std::chrono::milliseconds(100));
    if (stop_) break;
    bool scheduled = bg_scheduled_ && !saving_;
    g.unlock();
    bool due = false;
    if (!scheduled) {
      std::vector<SavePoint> points;
      {
        std::lock_guard<std::mutex> c(server_.config_lock());
        points = server_.config().save;
      }
      int64_t now = now_ms() / 1000;
      uint64_t changes = changes_since_last_save();
      for (const SavePoint& p : points) {
        // As Redis's serverCron: enough changes and time, and a failed BGSAVE retried only
        // after 5 seconds.
        if (changes >= uint64_t(p.changes) && now - last_save_s_.load() > p.seconds &&
            (last_bgsave_ok_.load() || now - last_bgsave_try_s_.load() > 5)) {
          server_log(LogLevel::kNotice, std::to_string(p.changes) + " changes in " +
                                            std::to_string(p.seconds) + " seconds. Saving...");
          due = true;
          break;
        }
      }
    }
    if (scheduled || due) {
      if (bgsave(false) == Bgsave::kStarted) {
        std::lock_guard<std::mutex> l(mu_);
        bg_scheduled_ = false;
      }
    }
    g.lock();
  }
}

bool Persistence::save_on_shutdown() {
  stop_cron();  // no save rule may start a BGSAVE from now on
  wait_bgsave();
  ShutdownMode m = shutdown_mode_.load();
  bool has_rules;
  {
    std::lock_guard<std::mutex> g(server_.config_lock());
    has_rules = !server_.config().save.empty();
  }
  if (m == ShutdownMode::kNoSave || (m == ShutdownMode::kDefault && !has_rules)) return true;
  server_log(LogLevel::kNotice, "Saving the final RDB snapshot before exiting.");
  std::string error;
  bool ok = save(&error);
  if (ok) {
    server_log(LogLevel::kNotice, "DB saved on disk");
  } else {
    server_log(LogLevel::kWarning, "Error trying to save the DB, can't exit.");
  }
  return ok;
}

std::optional<std::string> Persistence::debug_reload(WorkerContext& wc, bool do_save, bool flush) {
  std::string error;
  if (do_save && !save(&error)) return error;
  int ndb;
  {
    std::lock_guard<std::mutex> g(server_.config_lock());
    ndb = static_cast<int>(server_.config().databases);
  }
  int64_t now = now_ms();
  for (int i = 0; i < ndb && flush; ++i) {
    wc.stm->atomically([&](stm::Tx& tx) { Db(tx, i, now).flush(); });
  }
  if (std::optional<std::string> err = load_file(rdb_path(), wc)) {
    server_log(LogLevel::kWarning, "DEBUG RELOAD: " + *err);
    return "ERR Error trying to load the RDB dump, check server logs.";
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> Persistence::info() {
  bool running;
  {
    std::lock_guard<std::mutex> g(mu_);
    running = bg_running_;
  }
  auto s = [](auto v) { return std::to_string(v); };
  char fork_perc[32] = "0.00";  // share of the keys written so far, as Redis's "%.2f"
  if (running && keys_total_.load() > 0) {
    snprintf(fork_perc, sizeof(fork_perc), "%.2f",
             100.0 * double(keys_processed_.load()) / double(keys_total_.load()));
  }
  int64_t now = now_ms();
  std::vector<std::pair<std::string, std::string>> out = {
      {"loading", loading_.load() ? "1" : "0"},
      {"async_loading", "0"},
      {"current_cow_peak", s(running ? current_overhead_.load() : 0)},
      {"current_cow_size", s(running ? current_overhead_.load() : 0)},
      {"current_cow_size_age", "0"},
      {"current_fork_perc", fork_perc},
      {"current_save_keys_processed", s(running ? keys_processed_.load() : 0)},
      {"current_save_keys_total", s(running ? keys_total_.load() : 0)},
      {"rdb_changes_since_last_save", s(changes_since_last_save())},
      {"rdb_bgsave_in_progress", running ? "1" : "0"},
      {"rdb_last_save_time", s(last_save_s_.load())},
      {"rdb_last_bgsave_status", last_bgsave_ok_.load() ? "ok" : "err"},
      {"rdb_last_bgsave_time_sec", s(last_bgsave_time_s_.load())},
      {"rdb_current_bgsave_time_sec",
       s(running ? (now - bgsave_start_ms_.load()) / 1000 : int64_t{-1})},
      {"rdb_saves", s(saves_.load())},
      {"rdb_last_cow_size", s(last_overhead_.load())},
      {"rdb_last_load_keys_expired", s(last_load_keys_expired_.load())},
      {"rdb_last_load_keys_loaded", s(last_load_keys_loaded_.load())},
  };
  if (aof_->loading()) out[0].second = "1";
  aof_->info(out);
  return out;
}

}  // namespace stmkv::persist
