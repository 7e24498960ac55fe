// persist/aof_manifest.h — Redis 7.0's multi-part AOF layout: the manifest that names the base
// file and the incremental files of appenddirname, in Redis's line format
//   file appendonly.aof.1.base.rdb seq 1 type b
//   file appendonly.aof.1.incr.aof seq 1 type i
// (type b: base, h: history (to delete), i: incremental, in replay order), and the file names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stmkv::persist {

struct AofFileInfo {
  std::string name;
  int64_t seq = 0;
  char type = 'i';  // 'b', 'h' or 'i'
  bool operator==(const AofFileInfo&) const = default;
};

struct AofManifest {
  std::optional<AofFileInfo> base;
  std::vector<AofFileInfo> incrs;    // replay order
  std::vector<AofFileInfo> history;  // files to delete
  int64_t next_base_seq() const { return base ? base->seq + 1 : 1; }
  int64_t next_incr_seq() const;
};

// "<prefix>.<seq>.base.rdb" / ".base.aof", "<prefix>.<seq>.incr.aof", "<prefix>.manifest".
std::string aof_base_name(const std::string& prefix, int64_t seq, bool rdb);
std::string aof_incr_name(const std::string& prefix, int64_t seq);
std::string aof_manifest_name(const std::string& prefix);

// The manifest's text, as Redis writes it (base, history, incremental files).
std::string format_aof_manifest(const AofManifest& m);
// Parses a manifest's text. Nullopt with *error (Redis's wording) when it is invalid.
std::optional<AofManifest> parse_aof_manifest(std::string_view text, std::string* error);

// Writes path atomically (temp file, fsync, rename, fsync of the directory). False with *error.
bool write_file_atomically(const std::string& dir, const std::string& name,
                           std::string_view data, std::string* error);

std::string aof_join_path(const std::string& dir, const std::string& name);

}  // namespace stmkv::persist
