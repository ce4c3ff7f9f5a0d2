#include <iostream>

#include "relc/runtime/boot_file.hpp"

int main(int argc, char** argv) {
  (void) argv;
  std::cerr << "relc-node: boot is not implemented yet\n";
  auto x = relc::decode_boot_file("");
  return argc > 0 && !x ? 1 : 1;
}
