#include "sim/cli/huge_pages.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace gigasim {

void maybe_reexec_with_huge_pages(char** argv) {
#ifdef __linux__
  const char* opt = std::getenv("GIGASIM_HUGEPAGES");
  if (opt != nullptr && std::strcmp(opt, "0") == 0) return;
  const char* tun = std::getenv("GLIBC_TUNABLES");
  if (tun != nullptr && std::strstr(tun, "glibc.malloc.hugetlb") != nullptr) return;  // set (by us or the user)
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  std::getline(f, mode);
  if (mode.find("[madvise]") == std::string::npos) return;
  const std::string value =
      tun != nullptr && *tun != '\0' ? std::string(tun) + ":glibc.malloc.hugetlb=1" : "glibc.malloc.hugetlb=1";
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // exec failed: run on with normal pages (the tunable stays set, so children do not retry).
#else
  (void)argv;
#endif
}

}  // namespace gigasim
