// commands/connection_family.cc — (being written)
#include "server/command_table.h"

namespace stmkv {

void register_connection_family(CommandTable& t) {}

}  // namespace stmkv
