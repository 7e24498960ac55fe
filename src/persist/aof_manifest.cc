#include "persist/aof_manifest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "server/config.h"

namespace stmkv::persist {

namespace {

// Redis's sdscatrepr when the name needs it (sdsneedsrepr), else the name itself.
std::string repr_if_needed(const std::string& s) {
  bool needs = s.empty();
  for (unsigned char c : s) {
    if (c == '\\' || c == '"' || c == '\n' || c == '\r' || c == '\t' || c == '\a' || c == '\b' ||
        !isprint(c) || isspace(c)) {
      needs = true;
    }
  }
  return needs ? quote_config_arg(s) : s;   // sdscatrepr's escapes
}

void append_line(std::string& out, const AofFileInfo& f) {
  out += "file " + repr_if_needed(f.name) + " seq " + std::to_string(f.seq) + " type ";
  out += f.type;
  out += '\n';
}

}  // namespace

int64_t AofManifest::next_incr_seq() const {
  int64_t seq = 0;
  for (const AofFileInfo& f : incrs) seq = std::max(seq, f.seq);
  return seq + 1;
}

std::string aof_base_name(const std::string& prefix, int64_t seq, bool rdb) {
  return prefix + "." + std::to_string(seq) + ".base" + (rdb ? ".rdb" : ".aof");
}

std::string aof_incr_name(const std::string& prefix, int64_t seq) {
  return prefix + "." + std::to_string(seq) + ".incr.aof";
}

std::string aof_manifest_name(const std::string& prefix) { return prefix + ".manifest"; }

std::string aof_join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

std::string format_aof_manifest(const AofManifest& m) {
  std::string out;
  if (m.base) append_line(out, *m.base);
  for (const AofFileInfo& f : m.history) append_line(out, f);
  for (const AofFileInfo& f : m.incrs) append_line(out, f);
  return out;
}

std::optional<AofManifest> parse_aof_manifest(std::string_view text, std::string* error) {
  AofManifest m;
  size_t pos = 0;
  int64_t last_incr_seq = 0;
  bool any = false;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      *error = "The AOF manifest file is invalid format";
      return std::nullopt;
    }
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    if (line.size() > 1024) {
      *error = "The AOF manifest file contains too long line";
      return std::nullopt;
    }
    std::optional<std::vector<std::string>> parts = split_config_args(line);   // sdssplitargs
    if (!parts || parts->size() < 6 || parts->size() % 2 != 0) {
      *error = "Invalid AOF manifest file format";
      return std::nullopt;
    }
    const std::vector<std::string>& argv = *parts;
    AofFileInfo f;
    bool has_name = false, has_seq = false, has_type = false;
    for (size_t i = 0; i < argv.size(); i += 2) {
      if (argv[i] == "file") {
        f.name = argv[i + 1];
        has_name = true;
      } else if (argv[i] == "seq") {
        char* e = nullptr;
        f.seq = std::strtoll(argv[i + 1].c_str(), &e, 10);
        has_seq = *e == '\0' && !argv[i + 1].empty();
      } else if (argv[i] == "type") {
        f.type = argv[i + 1].empty() ? '?' : argv[i + 1][0];
        has_type = argv[i + 1].size() == 1;
      }
    }
    if (!has_name || !has_seq || !has_type || f.name.find('/') != std::string::npos) {
      *error = "Invalid AOF manifest file format";
      return std::nullopt;
    }
    any = true;
    if (f.type == 'b') {
      if (m.base) {
        *error = "Found duplicate base file information";
        return std::nullopt;
      }
      m.base = f;
    } else if (f.type == 'h') {
      m.history.push_back(f);
    } else if (f.type == 'i') {
      if (f.seq <= last_incr_seq) {
        *error = "Found a non-monotonic sequence number";
        return std::nullopt;
      }
      last_incr_seq = f.seq;
      m.incrs.push_back(f);
    } else {
      *error = "Unknown AOF file type";
      return std::nullopt;
    }
  }
  if (!any) {
    *error = "Found an empty AOF manifest";
    return std::nullopt;
  }
  return m;
}

bool write_file_atomically(const std::string& dir, const std::string& name, std::string_view data,
                           std::string* error) {
  std::string tmp = aof_join_path(dir, "temp-" + name);
  std::string path = aof_join_path(dir, name);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "Can't open " + tmp + ": " + std::strerror(errno);
    return false;
  }
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = "Can't write " + tmp + ": " + std::strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return false;
    }
    off += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    *error = "Can't fsync " + tmp + ": " + std::strerror(errno);
    close(fd);
    unlink(tmp.c_str());
    return false;
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "Can't rename " + tmp + " to " + path + ": " + std::strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  int dfd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return true;
}

}  // namespace stmkv::persist
