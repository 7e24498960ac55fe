// Redis's `cmsgpack` Lua library (cmsgpack.pack, cmsgpack.unpack, cmsgpack.unpack_one,
// cmsgpack.unpack_limit), written for stmkv after the behaviour of Salvatore Sanfilippo's
// lua_cmsgpack as Redis ships it: integers in their smallest encoding, floats as float32 when
// exact else float64, tables with keys 1..n as arrays, other tables as maps, at most 16 levels
// of nesting (deeper values pack as nil).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "scripting/lua_libs.h"

namespace stmkv::scripting {
namespace {

constexpr int kMaxNesting = 16;

// Packing writes into a std::string (no luaL_Buffer: packing walks tables with lua_next, which
// needs the stack to itself). Nothing here raises a Lua error except on memory exhaustion.
void put_be(std::string& b, unsigned char tag, uint64_t v, int bytes) {
  b.push_back(char(tag));
  for (int i = 0; i < bytes; ++i) b.push_back(char((v >> (8 * (bytes - 1 - i))) & 0xFF));
}

void pack_int(std::string& b, int64_t n) {
  if (n >= 0) {
    if (n <= 127) {
      b.push_back(char(n));
    } else if (n <= 0xff) {
      put_be(b, 0xcc, uint64_t(n), 1);
    } else if (n <= 0xffff) {
      put_be(b, 0xcd, uint64_t(n), 2);
    } else if (n <= 0xffffffffLL) {
      put_be(b, 0xce, uint64_t(n), 4);
    } else {
      put_be(b, 0xcf, uint64_t(n), 8);
    }
  } else {
    if (n >= -32) {
      b.push_back(char(n));
    } else if (n >= -128) {
      put_be(b, 0xd0, uint64_t(n), 1);
    } else if (n >= -32768) {
      put_be(b, 0xd1, uint64_t(n), 2);
    } else if (n >= -2147483648LL) {
      put_be(b, 0xd2, uint64_t(n), 4);
    } else {
      put_be(b, 0xd3, uint64_t(n), 8);
    }
  }
}

void pack_number(std::string& b, lua_Number n) {
  if (std::isfinite(n) && std::floor(n) == n && n >= -9223372036854775808.0 &&
      n < 9223372036854775808.0) {
    pack_int(b, int64_t(n));
    return;
  }
  float f = float(n);
  if (double(f) == n || std::isnan(n)) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    put_be(b, 0xca, bits, 4);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &n, 8);
    put_be(b, 0xcb, bits, 8);
  }
}

void pack_string(std::string& b, const char* s, size_t len) {
  if (len < 32) {
    b.push_back(char(0xa0 | len));
  } else if (len <= 0xff) {
    put_be(b, 0xd9, len, 1);
  } else if (len <= 0xffff) {
    put_be(b, 0xda, len, 2);
  } else {
    put_be(b, 0xdb, len, 4);
  }
  b.append(s, len);
}

// Whether the table at idx has exactly the keys 1..n (an empty table is an array).
bool is_array(lua_State* L, int idx, size_t* n) {
  size_t count = 0;
  lua_Number max = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TNUMBER) {
      lua_pop(L, 1);
      return false;
    }
    lua_Number k = lua_tonumber(L, -1);
    if (k <= 0 || std::floor(k) != k) {
      lua_pop(L, 1);
      return false;
    }
    if (k > max) max = k;
    ++count;
  }
  *n = count;
  return lua_Number(count) == max;
}

void pack_value(lua_State* L, std::string& b, int idx, int level);

void pack_table(lua_State* L, std::string& b, int idx, int level) {
  size_t n;
  if (!lua_checkstack(L, 4)) {
    b.push_back(char(0xc0));
    return;
  }
  if (is_array(L, idx, &n)) {
    if (n < 16) {
      b.push_back(char(0x90 | n));
    } else if (n <= 0xffff) {
      put_be(b, 0xdc, n, 2);
    } else {
      put_be(b, 0xdd, n, 4);
    }
    for (size_t i = 1; i <= n; ++i) {
      lua_rawgeti(L, idx, int(i));
      pack_value(L, b, lua_gettop(L), level + 1);
      lua_pop(L, 1);
    }
    return;
  }
  size_t count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    ++count;
  }
  if (count < 16) {
    b.push_back(char(0x80 | count));
  } else if (count <= 0xffff) {
    put_be(b, 0xde, count, 2);
  } else {
    put_be(b, 0xdf, count, 4);
  }
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    int v = lua_gettop(L);
    pack_value(L, b, v - 1, level + 1);
    pack_value(L, b, v, level + 1);
    lua_pop(L, 1);
  }
}

void pack_value(lua_State* L, std::string& b, int idx, int level) {
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, idx, &len);
      pack_string(b, s, len);
      break;
    }
    case LUA_TBOOLEAN: b.push_back(lua_toboolean(L, idx) ? char(0xc3) : char(0xc2)); break;
    case LUA_TNUMBER: pack_number(b, lua_tonumber(L, idx)); break;
    case LUA_TTABLE:
      if (level >= kMaxNesting) {
        b.push_back(char(0xc0));
      } else {
        pack_table(L, b, idx, level);
      }
      break;
    default: b.push_back(char(0xc0));
  }
}

int mp_pack(lua_State* L) {
  int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  {
    std::string out;
    for (int i = 1; i <= nargs; ++i) pack_value(L, out, i, 0);
    lua_pushlstring(L, out.data(), out.size());
  }
  return 1;
}

struct Cursor {
  const unsigned char* p;
  size_t left;
  int err = 0;  // 1 = missing bytes, 2 = bad data
};

uint64_t get_be(Cursor* c, int bytes) {
  if (c->left < size_t(bytes)) {
    c->err = 1;
    return 0;
  }
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | c->p[i];
  c->p += bytes;
  c->left -= size_t(bytes);
  return v;
}

void decode(lua_State* L, Cursor* c);

void decode_string(lua_State* L, Cursor* c, size_t len) {
  if (c->left < len) {
    c->err = 1;
    return;
  }
  lua_pushlstring(L, reinterpret_cast<const char*>(c->p), len);
  c->p += len;
  c->left -= len;
}

void decode_array(lua_State* L, Cursor* c, size_t n) {
  luaL_checkstack(L, 3, "too deep");
  lua_newtable(L);
  for (size_t i = 1; i <= n && c->err == 0; ++i) {
    lua_pushnumber(L, lua_Number(i));
    decode(L, c);
    if (c->err != 0) return;
    lua_settable(L, -3);
  }
}

void decode_map(lua_State* L, Cursor* c, size_t n) {
  luaL_checkstack(L, 3, "too deep");
  lua_newtable(L);
  for (size_t i = 0; i < n && c->err == 0; ++i) {
    decode(L, c);
    if (c->err != 0) return;
    decode(L, c);
    if (c->err != 0) return;
    lua_settable(L, -3);
  }
}

void decode(lua_State* L, Cursor* c) {
  if (c->left == 0) {
    c->err = 1;
    return;
  }
  unsigned char t = *c->p++;
  c->left--;
  if (t <= 0x7f) {
    lua_pushnumber(L, t);
  } else if (t >= 0xe0) {
    lua_pushnumber(L, int8_t(t));
  } else if ((t & 0xe0) == 0xa0) {
    decode_string(L, c, t & 0x1f);
  } else if ((t & 0xf0) == 0x90) {
    decode_array(L, c, t & 0x0f);
  } else if ((t & 0xf0) == 0x80) {
    decode_map(L, c, t & 0x0f);
  } else {
    switch (t) {
      case 0xc0: lua_pushnil(L); break;
      case 0xc2: lua_pushboolean(L, 0); break;
      case 0xc3: lua_pushboolean(L, 1); break;
      case 0xcc: lua_pushnumber(L, lua_Number(get_be(c, 1))); break;
      case 0xcd: lua_pushnumber(L, lua_Number(get_be(c, 2))); break;
      case 0xce: lua_pushnumber(L, lua_Number(get_be(c, 4))); break;
      case 0xcf: lua_pushnumber(L, lua_Number(get_be(c, 8))); break;
      case 0xd0: lua_pushnumber(L, int8_t(get_be(c, 1))); break;
      case 0xd1: lua_pushnumber(L, int16_t(get_be(c, 2))); break;
      case 0xd2: lua_pushnumber(L, int32_t(get_be(c, 4))); break;
      case 0xd3: lua_pushnumber(L, lua_Number(int64_t(get_be(c, 8)))); break;
      case 0xca: {
        uint32_t bits = uint32_t(get_be(c, 4));
        float f;
        std::memcpy(&f, &bits, 4);
        lua_pushnumber(L, f);
        break;
      }
      case 0xcb: {
        uint64_t bits = get_be(c, 8);
        double d;
        std::memcpy(&d, &bits, 8);
        lua_pushnumber(L, d);
        break;
      }
      case 0xc4:
      case 0xd9: {
        size_t n = size_t(get_be(c, 1));
        if (!c->err) decode_string(L, c, n);
        break;
      }
      case 0xc5:
      case 0xda: {
        size_t n = size_t(get_be(c, 2));
        if (!c->err) decode_string(L, c, n);
        break;
      }
      case 0xc6:
      case 0xdb: {
        size_t n = size_t(get_be(c, 4));
        if (!c->err) decode_string(L, c, n);
        break;
      }
      case 0xdc: {
        size_t n = size_t(get_be(c, 2));
        if (!c->err) decode_array(L, c, n);
        break;
      }
      case 0xdd: {
        size_t n = size_t(get_be(c, 4));
        if (!c->err) decode_array(L, c, n);
        break;
      }
      case 0xde: {
        size_t n = size_t(get_be(c, 2));
        if (!c->err) decode_map(L, c, n);
        break;
      }
      case 0xdf: {
        size_t n = size_t(get_be(c, 4));
        if (!c->err) decode_map(L, c, n);
        break;
      }
      default: c->err = 2;
    }
  }
}

// unpack(s, limit, offset): pushes offset-after-last (when limit > 0) and the values.
int unpack_full(lua_State* L, int limit, int offset) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  if (offset < 0 || size_t(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", offset, int(len));
  }
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - size_t(offset)};
  int count = 0;
  int base = lua_gettop(L);
  while (c.left > 0 && (limit <= 0 || count < limit)) {
    decode(L, &c);
    if (c.err == 1) {
      lua_settop(L, base);
      return luaL_error(L, "Missing bytes in input.");
    }
    if (c.err == 2) {
      lua_settop(L, base);
      return luaL_error(L, "Bad data format in input.");
    }
    ++count;
  }
  if (limit <= 0) return count;
  lua_pushinteger(L, c.left == 0 ? -1 : lua_Integer(len - c.left));
  lua_insert(L, base + 1);
  return count + 1;
}

int mp_unpack(lua_State* L) { return unpack_full(L, 0, 0); }
int mp_unpack_one(lua_State* L) {
  int offset = int(luaL_optinteger(L, 2, 0));
  lua_settop(L, 1);
  return unpack_full(L, 1, offset);
}
int mp_unpack_limit(lua_State* L) {
  int limit = int(luaL_checkinteger(L, 2));
  int offset = int(luaL_optinteger(L, 3, 0));
  lua_settop(L, 1);
  return unpack_full(L, limit, offset);
}

}  // namespace

int luaopen_cmsgpack(lua_State* L) {
  static const luaL_Reg kFunctions[] = {{"pack", mp_pack},
                                        {"unpack", mp_unpack},
                                        {"unpack_one", mp_unpack_one},
                                        {"unpack_limit", mp_unpack_limit},
                                        {nullptr, nullptr}};
  luaL_register(L, "cmsgpack", kFunctions);
  lua_pushstring(L, "lua-cmsgpack");
  lua_setfield(L, -2, "_NAME");
  lua_pushstring(L, "lua-cmsgpack 0.4.0");
  lua_setfield(L, -2, "_VERSION");
  lua_pushstring(L, "Copyright (C) 2012, Salvatore Sanfilippo");
  lua_setfield(L, -2, "_COPYRIGHT");
  lua_pushstring(L, "MessagePack C implementation.");
  lua_setfield(L, -2, "_DESCRIPTION");
  return 1;
}

}  // namespace stmkv::scripting
