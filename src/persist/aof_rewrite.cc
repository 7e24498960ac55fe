// persist/aof_rewrite.cc — the AOF's rewrite (new base from a point-in-time snapshot, switch of
// the incremental file at the snapshot's revision, new manifest) and its loading at start-up.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ds/keyspace.h"
#include "net/log.h"
#include "persist/aof.h"
#include "persist/aof_load.h"
#include "persist/persistence.h"
#include "persist/rdb.h"
#include "protocol/number_format.h"
#include "server/server.h"

namespace stmkv::persist {

namespace {

bool read_whole(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = std::move(ss).str();
  return true;
}

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

uint64_t file_size(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? uint64_t(st.st_size) : 0;
}

void append_cmd(std::string& out, std::initializer_list<std::string_view> argv) {
  out += '*' + std::to_string(argv.size()) + "\r\n";
  for (std::string_view a : argv) {
    out += '$' + std::to_string(a.size()) + "\r\n";
    out.append(a);
    out += "\r\n";
  }
}

void append_cmd(std::string& out, const std::vector<std::string_view>& argv) {
  out += '*' + std::to_string(argv.size()) + "\r\n";
  for (std::string_view a : argv) {
    out += '$' + std::to_string(a.size()) + "\r\n";
    out.append(a);
    out += "\r\n";
  }
}

constexpr size_t kItemsPerCmd = 64;  // Redis's AOF_REWRITE_ITEMS_PER_CMD

// An RDB image as the commands that rebuild it (Redis's rewriteAppendOnlyFileRio).
std::optional<std::string> rdb_to_commands(std::string_view rdb, int databases, std::string* out) {
  int cur_db = -1;
  return parse_rdb(
      rdb, false, databases,
      [&](int db, std::string key, LoadedValue v, int64_t expire) {
        if (v.empty()) return;
        if (db != cur_db) {
          append_cmd(*out, {"SELECT", std::to_string(db)});
          cur_db = db;
        }
        std::vector<std::string_view> argv;
        auto batched = [&](std::string_view cmd, size_t step) {
          size_t n = v.items.size();
          for (size_t i = 0; i < n;) {
            argv = {cmd, key};
            for (size_t k = 0; k < kItemsPerCmd && i < n; ++k, i += step) {
              for (size_t j = 0; j < step; ++j) argv.push_back(v.items[i + j]);
            }
            append_cmd(*out, argv);
          }
        };
        switch (v.type) {
          case ObjType::kString:
            append_cmd(*out, {"SET", key, v.items[0]});
            break;
          case ObjType::kList:
            batched("RPUSH", 1);
            break;
          case ObjType::kSet:
            batched("SADD", 1);
            break;
          case ObjType::kHash:
            batched("HMSET", 2);
            break;
          case ObjType::kZSet: {
            std::vector<std::string> scores;
            scores.reserve(v.zset.size());
            for (const auto& z : v.zset) scores.push_back(protocol::format_double(z.second));
            for (size_t i = 0; i < v.zset.size();) {
              argv = {"ZADD", key};
              for (size_t k = 0; k < kItemsPerCmd && i < v.zset.size(); ++k, ++i) {
                argv.push_back(scores[i]);
                argv.push_back(v.zset[i].first);
              }
              append_cmd(*out, argv);
            }
            break;
          }
        }
        if (expire != kNoExpire) append_cmd(*out, {"PEXPIREAT", key, std::to_string(expire)});
      },
      [&](std::string code) { append_cmd(*out, {"FUNCTION", "LOAD", code}); });
}

}  // namespace

void Aof::start_writer() {
  std::lock_guard<std::mutex> g(mu_);
  if (writer_running_) return;
  writer_running_ = true;
  stop_writer_ = false;
  writer_ = std::thread([this] { writer_main(); });
}

bool Aof::snapshot_base(const std::string& dir, const std::string& name, bool rdb,
                        const std::function<void(uint64_t)>& at_revision, uint64_t* overhead,
                        std::string* error) {
  std::string tmp = aof_join_path(dir, "temp-rewriteaof-bg-" + std::to_string(getpid()) + ".aof");
  if (!persistence_.snapshot_for_aof(tmp, at_revision, overhead, error)) return false;
  if (!rdb) {
    std::string data, cmds;
    int64_t dbs;
    {
      std::lock_guard<std::mutex> g(server_.config_lock());
      dbs = server_.config().databases;
    }
    if (!read_whole(tmp, &data)) {
      *error = "Can't read the temp base " + tmp;
      return false;
    }
    if (std::optional<std::string> e = rdb_to_commands(data, int(dbs), &cmds)) {
      *error = *e;
      return false;
    }
    std::string fname = "temp-rewriteaof-cmds-" + std::to_string(getpid()) + ".aof";
    if (!write_file_atomically(dir, fname, cmds, error)) return false;
    unlink(tmp.c_str());
    tmp = aof_join_path(dir, fname);
  }
  std::string path = aof_join_path(dir, name);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "Error trying to rename the temporary AOF base file " + tmp + " into " + name +
             ": " + std::strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  server_log(LogLevel::kNotice, "Successfully renamed the temporary AOF base file " + tmp +
                                    " into " + name);
  return true;
}

bool Aof::rewrite(bool enabling, std::string* error) {
  std::string dir = aof_dir(), pfx = prefix();
  bool rdb;
  {
    std::lock_guard<std::mutex> g(server_.config_lock());
    rdb = server_.config().aof_use_rdb_preamble;
  }
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    *error = "Can't create the AOF directory " + dir + ": " + std::strerror(errno);
    return false;
  }
  if (enabling) {
    // Continue the numbering of an AOF left by an earlier run.
    std::string text, perr;
    AofManifest m;
    if (read_whole(aof_join_path(dir, aof_manifest_name(pfx)), &text)) {
      if (std::optional<AofManifest> p = parse_aof_manifest(text, &perr)) m = *p;
    }
    std::lock_guard<std::mutex> g(mu_);
    manifest_ = m;
  }
  if (!enabling && !enabled_.load()) {
    // BGREWRITEAOF with appendonly no: a base and an empty incremental file, as Redis.
    std::string text, perr;
    AofManifest m;
    if (read_whole(aof_join_path(dir, aof_manifest_name(pfx)), &text)) {
      if (std::optional<AofManifest> p = parse_aof_manifest(text, &perr)) m = *p;
    }
    AofManifest next;
    next.base = AofFileInfo{aof_base_name(pfx, m.next_base_seq(), rdb), m.next_base_seq(), 'b'};
    int64_t incr_seq = m.next_incr_seq();
    next.incrs.push_back(AofFileInfo{aof_incr_name(pfx, incr_seq), incr_seq, 'i'});
    uint64_t overhead = 0;
    if (!snapshot_base(dir, next.base->name, rdb, nullptr, &overhead, error)) return false;
    int fd = open(aof_join_path(dir, next.incrs[0].name).c_str(),
                  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) close(fd);
    if (!write_file_atomically(dir, aof_manifest_name(pfx), format_aof_manifest(next), error)) {
      return false;
    }
    if (m.base) unlink(aof_join_path(dir, m.base->name).c_str());
    for (const AofFileInfo& f : m.incrs) unlink(aof_join_path(dir, f.name).c_str());
    for (const AofFileInfo& f : m.history) unlink(aof_join_path(dir, f.name).c_str());
    last_cow_ = overhead;
    return true;
  }
  AofManifest old;
  {
    std::lock_guard<std::mutex> g(mu_);
    old = manifest_;
    switch_ = Switch::kPendingRev;
    switch_seq_ = old.next_incr_seq();
    switch_name_ = aof_incr_name(pfx, switch_seq_);
    switch_persist_ = !enabling;
  }
  if (enabling) {
    install_sink(true);
    start_writer();
  }
  bool seen = false;
  uint64_t overhead = 0;
  std::string base_name = aof_base_name(pfx, old.next_base_seq(), rdb);
  bool ok = snapshot_base(
      dir, base_name, rdb,
      [&](uint64_t rev) {
        if (seen) return;
        seen = true;
        {
          std::lock_guard<std::mutex> g(mu_);
          switch_rev_ = rev;
          switch_ = Switch::kKnown;
        }
        cv_.notify_all();
      },
      &overhead, error);
  if (!seen) {
    {
      std::lock_guard<std::mutex> g(mu_);
      switch_ = Switch::kNone;
    }
    cv_.notify_all();
    if (enabling) disable();
    return false;
  }
  {
    std::unique_lock<std::mutex> g(mu_);
    cv_.wait(g, [&] { return switch_ == Switch::kDone; });
  }
  if (!ok) {
    std::lock_guard<std::mutex> g(mu_);
    switch_ = Switch::kNone;
    if (enabling) manifest_.incrs.clear();
  }
  if (!ok) {
    if (enabling) disable();
    return false;
  }
  AofManifest next;
  next.base = AofFileInfo{base_name, old.next_base_seq(), 'b'};
  int64_t incr_seq;
  std::string incr_name;
  {
    std::lock_guard<std::mutex> g(mu_);
    incr_seq = switch_seq_;
    incr_name = switch_name_;
  }
  next.incrs.push_back(AofFileInfo{incr_name, incr_seq, 'i'});
  if (!write_file_atomically(dir, aof_manifest_name(pfx), format_aof_manifest(next), error)) {
    std::lock_guard<std::mutex> g(mu_);
    switch_ = Switch::kNone;
    return false;
  }
  AofManifest replaced;
  {
    std::lock_guard<std::mutex> g(mu_);
    replaced = manifest_;
    manifest_ = next;
    switch_ = Switch::kNone;
  }
  std::vector<std::string> removed;
  auto remove = [&](const AofFileInfo& f) {
    if (f.name == base_name || f.name == incr_name) return;
    if (std::find(removed.begin(), removed.end(), f.name) != removed.end()) return;
    removed.push_back(f.name);
    server_log(LogLevel::kNotice, "Removing the history file " + f.name);
    unlink(aof_join_path(dir, f.name).c_str());
  };
  if (replaced.base) remove(*replaced.base);
  if (old.base && (!replaced.base || old.base->name != replaced.base->name)) remove(*old.base);
  for (const AofFileInfo& f : replaced.incrs) remove(f);
  for (const AofFileInfo& f : old.incrs) remove(f);
  for (const AofFileInfo& f : replaced.history) remove(f);
  base_size_ = file_size(aof_join_path(dir, base_name));
  last_cow_ = overhead;
  rewrite_failures_ = 0;
  return true;
}

// --- start-up ---

std::optional<std::string> Aof::load_at_startup(WorkerContext& w) {
  bool on;
  {
    std::lock_guard<std::mutex> g(server_.config_lock());
    on = server_.config().appendonly;
  }
  if (!on) return persistence_.load_at_startup(w);
  set_fsync_mode();
  std::string dir = aof_dir();
  std::string manifest = aof_join_path(dir, aof_manifest_name(prefix()));
  if (exists(manifest)) {
    int64_t t0 = now_ms();
    if (std::optional<std::string> e = load_dir(w, dir)) return e;
    server_log(LogLevel::kNotice, "DB loaded from append only file: " +
                                      std::to_string(double(now_ms() - t0) / 1000.0) +
                                      " seconds");
  } else {
    // As Redis 7: no AOF yet, so the RDB file (if any) is the data; the first base is made
    // from it.
    if (std::optional<std::string> e = persistence_.load_at_startup(w)) return e;
    if (std::optional<std::string> e = create_at_startup(dir)) return e;
  }
  install_sink(true);
  start_writer();
  return std::nullopt;
}

std::optional<std::string> Aof::create_at_startup(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return "Can't create the AOF directory " + dir + ": " + std::strerror(errno);
  }
  std::string pfx = prefix();
  bool rdb;
  {
    std::lock_guard<std::mutex> g(server_.config_lock());
    rdb = server_.config().aof_use_rdb_preamble;
  }
  AofManifest m;
  m.base = AofFileInfo{aof_base_name(pfx, 1, rdb), 1, 'b'};
  m.incrs.push_back(AofFileInfo{aof_incr_name(pfx, 1), 1, 'i'});
  std::string error;
  uint64_t overhead = 0;
  if (!snapshot_base(dir, m.base->name, rdb, nullptr, &overhead, &error)) {
    return "Can't create the AOF base file: " + error;
  }
  server_log(LogLevel::kNotice, "Creating AOF base file " + m.base->name + " on server start");
  if (!open_incr(m.incrs[0].name, &error)) return error;
  server_log(LogLevel::kNotice, "Creating AOF incr file " + m.incrs[0].name + " on server start");
  if (!write_file_atomically(dir, aof_manifest_name(pfx), format_aof_manifest(m), &error)) {
    return error;
  }
  base_size_ = file_size(aof_join_path(dir, m.base->name));
  std::lock_guard<std::mutex> g(mu_);
  manifest_ = m;
  return std::nullopt;
}

std::optional<std::string> Aof::load_dir(WorkerContext& w, const std::string& dir) {
  std::string pfx = prefix();
  std::string text, error;
  if (!read_whole(aof_join_path(dir, aof_manifest_name(pfx)), &text)) {
    return "Can't open the AOF manifest file " + aof_manifest_name(pfx) + ": " +
           std::strerror(errno);
  }
  std::optional<AofManifest> m = parse_aof_manifest(text, &error);
  if (!m) return error;
  loading_ = true;
  std::optional<std::string> err;
  if (m->base) err = load_one(w, dir, *m->base, m->incrs.empty());
  for (size_t i = 0; !err && i < m->incrs.size(); ++i) {
    err = load_one(w, dir, m->incrs[i], i + 1 == m->incrs.size());
  }
  loading_ = false;
  if (err) return err;
  for (const AofFileInfo& f : m->history) {
    server_log(LogLevel::kNotice, "Removing the history file " + f.name);
    unlink(aof_join_path(dir, f.name).c_str());
  }
  bool changed = !m->history.empty();
  m->history.clear();
  if (m->incrs.empty()) {
    int64_t seq = m->next_incr_seq();
    m->incrs.push_back(AofFileInfo{aof_incr_name(pfx, seq), seq, 'i'});
    changed = true;
  }
  if (!open_incr(m->incrs.back().name, &error)) return error;
  if (changed && !write_file_atomically(dir, aof_manifest_name(pfx), format_aof_manifest(*m),
                                        &error)) {
    return error;
  }
  base_size_ = m->base ? file_size(aof_join_path(dir, m->base->name)) : 0;
  uint64_t incrs = 0;
  for (const AofFileInfo& f : m->incrs) incrs += file_size(aof_join_path(dir, f.name));
  incr_size_ = incrs;
  std::lock_guard<std::mutex> g(mu_);
  manifest_ = *m;
  return std::nullopt;
}

std::optional<std::string> Aof::load_one(WorkerContext& w, const std::string& dir,
                                         const AofFileInfo& f, bool last) {
  std::string path = aof_join_path(dir, f.name);
  std::string data;
  if (!read_whole(path, &data)) {
    return "Can't open the append-only file " + f.name + ": " + std::strerror(errno);
  }
  if (data.empty()) return std::nullopt;
  if (data.compare(0, 5, "REDIS") == 0) {
    server_log(LogLevel::kNotice, "Reading RDB base file on AOF loading...");
    // Keys whose TTL passed are kept, as Redis loads an AOF's RDB preamble: the incremental
    // records that follow may still find them (PERSIST); their DELs come with the records.
    set_expiry_paused(true);
    std::optional<std::string> e = persistence_.load_file(path, w);
    set_expiry_paused(false);
    if (e) return e;
    server_log(LogLevel::kNotice, "DB loaded from base file " + f.name);
    return std::nullopt;
  }
  AofReplay r = replay_aof(server_, w, data, f.name);
  if (r.error) return r.error;
  if (r.truncated) {
    bool allowed;
    {
      std::lock_guard<std::mutex> g(server_.config_lock());
      allowed = server_.config().aof_load_truncated;
    }
    if (!last) {
      return "Fatal error: the truncated file is not the last file (" + f.name + ")";
    }
    if (!allowed) {
      return "Unexpected end of file reading the append only file " + f.name +
             ". You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix "
             "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
             "configuration option to yes and restart the server.";
    }
    server_log(LogLevel::kWarning,
               "!!! Warning: short read while loading the AOF file " + f.name + "!!!");
    server_log(LogLevel::kWarning, "!!! Truncating the AOF " + f.name + " at offset " +
                                       std::to_string(r.valid_up_to) + " !!!");
    if (truncate(path.c_str(), off_t(r.valid_up_to)) != 0) {
      return "Error truncating the AOF file " + f.name + ": " + std::strerror(errno);
    }
    server_log(LogLevel::kWarning,
               "AOF " + f.name + " loaded anyway because aof-load-truncated is enabled");
  }
  server_log(LogLevel::kNotice, "DB loaded from " + std::string(f.type == 'b' ? "base" : "incr") +
                                    " file " + f.name);
  return std::nullopt;
}

}  // namespace stmkv::persist
