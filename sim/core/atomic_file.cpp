#include "sim/core/atomic_file.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "sim/core/interrupt.hpp"

namespace gigasim {

std::string describe_errno(int err) {
  std::string s = std::strerror(err);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

IoError io_error(const std::string& path, int err, const std::string& detail) {
  return IoError(fmt::format("{}: error: {}{}", path, describe_errno(err), detail.empty() ? "" : " (" + detail + ")"),
                 err);
}

namespace {
uint64_t size_of(const std::string& path) {
  // What reached the disk: a file being extended may be longer than its blocks (sparse).
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return std::min(static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_blocks) * 512);
}
}  // namespace

void write_atomically(const std::string& path, const std::string& what,
                      const std::function<void(const std::string& tmp)>& write, uint64_t expected_bytes) {
  const std::string tmp = path + ".tmp";
  interrupt::set_temp_file(tmp);
  auto discard = [&] {
    std::remove(tmp.c_str());
    interrupt::set_temp_file("");
  };
  try {
    write(tmp);
  } catch (const IoError& e) {
    const uint64_t written = size_of(tmp);
    discard();
    if (e.sys_errno() == 0) throw;
    std::string detail = "cannot write " + what;
    if (written > 0) {
      detail += expected_bytes > 0 ? fmt::format(", wrote {} of about {} bytes", written, expected_bytes)
                                   : fmt::format(", wrote {} bytes", written);
    }
    throw io_error(path, e.sys_errno(), detail);
  } catch (...) {
    discard();
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    discard();
    throw io_error(path, err, "cannot rename the finished " + what + " into place");
  }
  interrupt::set_temp_file("");
}

}  // namespace gigasim
