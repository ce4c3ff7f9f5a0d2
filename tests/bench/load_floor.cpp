// The floor for boot: a program that only dlopens N app libraries the way
// the node does (RTLD_NOW | RTLD_LOCAL), and prints the time it took.
// Usage: load_floor LIB...
#include <dlfcn.h>

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 1; i < argc; ++i)
    if (!dlopen(argv[i], RTLD_NOW | RTLD_LOCAL)) {
      fprintf(stderr, "%s\n", dlerror());
      return 1;
    }
  auto ms = std::chrono::duration<double, std::milli>(
              std::chrono::steady_clock::now() - t0)
              .count();
  printf("%.3f\n", ms);
}
