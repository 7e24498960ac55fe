// scripting/lua_libs.h — the C libraries a Redis script sees besides Lua's own: cjson and bit
// (Debian's lua-cjson and lua-bitop), struct and cmsgpack (lua_struct.cc, lua_cmsgpack.cc).
#pragma once

struct lua_State;

extern "C" {
int luaopen_cjson(lua_State* L);
int luaopen_bit(lua_State* L);
}

namespace stmkv::scripting {
// Redis's `struct` library: struct.pack, struct.unpack, struct.size.
int luaopen_struct(lua_State* L);
// Redis's `cmsgpack` library: cmsgpack.pack, cmsgpack.unpack.
int luaopen_cmsgpack(lua_State* L);
}  // namespace stmkv::scripting
