// ds/hll.h — HyperLogLog sketches in Redis's exact byte representation (a plain string value),
// so that PFCOUNT gives Redis's numbers and GET returns bytes Redis accepts, and back.
//
// Layout (Redis 7.0, hyperloglog.c): a 16-byte header "HYLL" | encoding (0 dense, 1 sparse) |
// 3 zero bytes | cached cardinality (uint64 little endian; its top bit set = stale), followed by
//  - dense: 16384 6-bit registers packed LSB first (12288 bytes);
//  - sparse: run-length opcodes ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx yyyyyyyy
//    (1..16384 zero registers), VAL 1vvvvvxx (1..4 registers of value 1..32).
// Elements hash with MurmurHash64A (seed 0xadc83b19): the low 14 bits pick the register, the run
// of zeros above them (+1) is the value. The estimate is Ertl's improved estimator over the
// register histogram, as Redis 7.
//
// Pure functions over std::string / std::string_view bytes: no heap, no transactions. "Corrupt"
// means a sparse sketch whose opcodes do not cover exactly 16384 registers (Redis's INVALIDOBJ).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stmkv::hll {

inline constexpr int kP = 14;
inline constexpr int kRegisters = 1 << kP;  // 16384
inline constexpr int kQ = 64 - kP;          // bits left for the zero run
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseSize = kHeaderSize + (kRegisters * 6 + 7) / 8;  // 12304
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;
// Redis's default hll-sparse-max-bytes.
inline constexpr int64_t kDefaultSparseMaxBytes = 3000;

// Registers as one byte each (PFCOUNT of several keys, PFMERGE).
using RawRegisters = std::array<uint8_t, kRegisters>;

// Redis's isHLLObjectOrReply test on a string's bytes: the magic, a known encoding, and the
// exact size for dense. Sparse opcodes are not checked here.
bool is_valid(std::string_view bytes);
// The encoding byte of a valid sketch (kDense or kSparse).
inline uint8_t encoding(std::string_view bytes) { return static_cast<uint8_t>(bytes[4]); }

// An empty sketch, as PFADD creates it: sparse, XZERO opcodes covering every register.
std::string create();

// MurmurHash64A as Redis uses it (endian-neutral, little-endian reads).
uint64_t murmur64a(const void* key, size_t len, uint64_t seed);
// The register an element maps to (*index) and its zero-run value (1..kQ+1).
int pattern_len(std::string_view element, long* index);

// Adds an element. Returns 1 when a register changed, 0 when not, -1 when the sketch is corrupt.
// A sparse sketch is promoted to dense when a value exceeds 32 or it would grow past
// sparse_max_bytes. Does not touch the cached cardinality (callers invalidate it).
int add(std::string* hll, std::string_view element, size_t sparse_max_bytes);
// Raises register `index` to `count` if lower (same contract as add; the sparse path invalidates
// the cache when it writes in place, as Redis's hllSparseSet).
int set_register(std::string* hll, long index, uint8_t count, size_t sparse_max_bytes);
// Converts a sparse sketch to dense in place (a no-op for dense). False when corrupt.
bool to_dense(std::string* hll);

// max[i] = MAX(max[i], register i) over a valid sketch. False when corrupt.
bool merge_into(RawRegisters* max, std::string_view hll);

// The estimate from the registers of a valid sketch (ignores the cache). *corrupt is set when a
// sparse sketch is corrupt.
uint64_t count(std::string_view hll, bool* corrupt);
// The estimate from raw registers.
uint64_t count_raw(const RawRegisters& regs);

// The cached cardinality: valid when the top bit of its last byte is clear.
bool cache_valid(std::string_view hll);
uint64_t cached(std::string_view hll);
void set_cache(std::string* hll, uint64_t card);
void invalidate_cache(std::string* hll);

// Register i of a dense sketch.
uint8_t dense_register(std::string_view hll, long i);
// PFDEBUG DECODE's text of a sparse sketch ("Z:8436 v:1,1 ...").
std::string decode_sparse(std::string_view hll);

}  // namespace stmkv::hll
