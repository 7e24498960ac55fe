#include "scripting/scripting.h"

#include <openssl/evp.h>

#include <algorithm>

#include "scripting/lua_engine.h"
#include "server/server.h"

namespace stmkv::scripting {

std::string sha1_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(40, '0');
  for (unsigned int i = 0; i < 20 && i < len; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

namespace {
struct FlagName {
  uint32_t flag;
  std::string_view name;
};
constexpr FlagName kFlagNames[] = {
    {kFlagNoWrites, "no-writes"},
    {kFlagAllowOom, "allow-oom"},
    {kFlagAllowStale, "allow-stale"},
    {kFlagNoCluster, "no-cluster"},
    {kFlagAllowCrossSlotKeys, "allow-cross-slot-keys"},
};
}  // namespace

uint32_t parse_flag(std::string_view name) {
  for (const FlagName& f : kFlagNames) {
    if (f.name == name) return f.flag;
  }
  return 0;
}

std::vector<std::string_view> flag_names(uint32_t flags) {
  std::vector<std::string_view> out;
  for (const FlagName& f : kFlagNames) {
    if (flags & f.flag) out.push_back(f.name);
  }
  return out;
}

// --- ScriptCache -----------------------------------------------------------------------------

void ScriptCache::add(const std::string& sha, std::string_view body) {
  {
    std::shared_lock<std::shared_mutex> g(mu_);
    if (scripts_.count(sha) != 0) return;
  }
  auto b = std::make_shared<const std::string>(body);
  std::unique_lock<std::shared_mutex> g(mu_);
  scripts_.emplace(sha, std::move(b));
}

std::shared_ptr<const std::string> ScriptCache::find(std::string_view sha) const {
  std::shared_lock<std::shared_mutex> g(mu_);
  auto it = scripts_.find(std::string(sha));
  return it == scripts_.end() ? nullptr : it->second;
}

void ScriptCache::flush() {
  std::unique_lock<std::shared_mutex> g(mu_);
  scripts_.clear();
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

size_t ScriptCache::size() const {
  std::shared_lock<std::shared_mutex> g(mu_);
  return scripts_.size();
}

// --- FunctionStore ---------------------------------------------------------------------------

bool FunctionStore::find(std::string_view name, Found* out) const {
  std::shared_lock<std::shared_mutex> g(mu_);
  auto it = function_library_.find(std::string(name));
  if (it == function_library_.end()) return false;
  auto lib = libs_.find(it->second);
  if (lib == libs_.end()) return false;
  for (const FunctionInfo& f : lib->second->functions) {
    if (f.name == name) {
      out->library = lib->second;
      out->function = &f;
      return true;
    }
  }
  return false;
}

std::vector<std::shared_ptr<const Library>> FunctionStore::list() const {
  std::shared_lock<std::shared_mutex> g(mu_);
  std::vector<std::shared_ptr<const Library>> out;
  out.reserve(libs_.size());
  for (const auto& [name, lib] : libs_) out.push_back(lib);
  return out;
}

std::shared_ptr<const Library> FunctionStore::library(std::string_view name) const {
  std::shared_lock<std::shared_mutex> g(mu_);
  auto it = libs_.find(std::string(name));
  return it == libs_.end() ? nullptr : it->second;
}

std::string FunctionStore::check_locked(
    const Library& lib, bool replace,
    const std::map<std::string, std::shared_ptr<const Library>>& libs,
    const std::unordered_map<std::string, std::string>& fns) const {
  if (!replace && libs.count(lib.name) != 0) {
    return "ERR Library '" + lib.name + "' already exists";
  }
  for (const FunctionInfo& f : lib.functions) {
    auto it = fns.find(f.name);
    if (it != fns.end() && it->second != lib.name) {
      return "ERR Function " + f.name + " already exists";
    }
  }
  return "";
}

namespace {
void install(std::map<std::string, std::shared_ptr<const Library>>& libs,
             std::unordered_map<std::string, std::string>& fns,
             std::shared_ptr<const Library> lib) {
  auto old = libs.find(lib->name);
  if (old != libs.end()) {
    for (const FunctionInfo& f : old->second->functions) fns.erase(f.name);
  }
  for (const FunctionInfo& f : lib->functions) fns[f.name] = lib->name;
  libs[lib->name] = std::move(lib);
}
}  // namespace

std::string FunctionStore::add(Library lib, bool replace) {
  std::unique_lock<std::shared_mutex> g(mu_);
  std::string err = check_locked(lib, replace, libs_, function_library_);
  if (!err.empty()) return err;
  lib.id = next_id_++;
  install(libs_, function_library_, std::make_shared<const Library>(std::move(lib)));
  return "";
}

std::string FunctionStore::restore(std::vector<Library> libs, int policy) {
  std::unique_lock<std::shared_mutex> g(mu_);
  auto new_libs = policy == 2 ? decltype(libs_)() : libs_;
  auto new_fns = policy == 2 ? decltype(function_library_)() : function_library_;
  for (Library& lib : libs) {
    std::string err = check_locked(lib, policy != 0, new_libs, new_fns);
    if (!err.empty()) return err;
    lib.id = next_id_++;
    install(new_libs, new_fns, std::make_shared<const Library>(std::move(lib)));
  }
  libs_ = std::move(new_libs);
  function_library_ = std::move(new_fns);
  return "";
}

bool FunctionStore::remove(std::string_view name) {
  std::unique_lock<std::shared_mutex> g(mu_);
  auto it = libs_.find(std::string(name));
  if (it == libs_.end()) return false;
  for (const FunctionInfo& f : it->second->functions) function_library_.erase(f.name);
  libs_.erase(it);
  return true;
}

void FunctionStore::flush() {
  std::unique_lock<std::shared_mutex> g(mu_);
  libs_.clear();
  function_library_.clear();
}

size_t FunctionStore::library_count() const {
  std::shared_lock<std::shared_mutex> g(mu_);
  return libs_.size();
}

size_t FunctionStore::function_count() const {
  std::shared_lock<std::shared_mutex> g(mu_);
  return function_library_.size();
}

// --- Scripting -------------------------------------------------------------------------------

Scripting::Scripting(Server& server) : server_(server) {
  int n = server.nworkers();
  for (int i = 0; i < n; ++i) running_.push_back(std::make_unique<RunningScript>());
  engines_.resize(size_t(n));
}

Scripting::~Scripting() = default;

LuaEngine& Scripting::engine(WorkerContext& worker) {
  std::unique_ptr<LuaEngine>& e = engines_[size_t(worker.index)];
  if (!e) e = std::make_unique<LuaEngine>(*this, worker.index);
  return *e;
}

void Scripting::record(TimelineEntry e) {
  std::lock_guard<std::mutex> g(timeline_mu_);
  timeline_.push_back(std::move(e));
  while (timeline_.size() > 1024) timeline_.pop_front();
}

std::vector<TimelineEntry> Scripting::timeline(size_t n) const {
  std::lock_guard<std::mutex> g(timeline_mu_);
  size_t from = timeline_.size() > n ? timeline_.size() - n : 0;
  return std::vector<TimelineEntry>(timeline_.begin() + long(from), timeline_.end());
}

void Scripting::clear_timeline() {
  std::lock_guard<std::mutex> g(timeline_mu_);
  timeline_.clear();
}

namespace {
struct StateEntry {
  uint64_t run_id_hash = 0;
  std::unique_ptr<Scripting> state;
};
std::mutex g_states_mu;
std::unordered_map<const Server*, StateEntry> g_states;

struct CachedState {
  const Server* server = nullptr;
  uint64_t run_id_hash = 0;
  Scripting* state = nullptr;
};
thread_local CachedState t_cached;
}  // namespace

Scripting& scripting_of(Server& server) {
  if (t_cached.server == &server && t_cached.run_id_hash == server.run_id_hash()) {
    return *t_cached.state;
  }
  std::lock_guard<std::mutex> g(g_states_mu);
  StateEntry& e = g_states[&server];
  // A Server at the address of a destroyed one has another run id: start afresh.
  if (!e.state || e.run_id_hash != server.run_id_hash()) {
    e.state = std::make_unique<Scripting>(server);
    e.run_id_hash = server.run_id_hash();
  }
  t_cached = {&server, server.run_id_hash(), e.state.get()};
  return *e.state;
}

}  // namespace stmkv::scripting
