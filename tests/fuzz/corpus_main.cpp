// The fuzz targets without libFuzzer: a main() that feeds a target its seed corpus and a fixed,
// seeded set of mutations of each seed (byte flips, inserted bytes, truncations, spliced halves),
// so every build's test suite runs every target briefly, deterministically and with g++. It is
// what CI runs (ctest fuzz_corpus.*); coverage-guided fuzzing is scripts/fuzz (clang, libFuzzer).
//   <target>_corpus DIR_OR_FILE... [--mutations N] [--seed S]
// Exits 0 when every input was accepted or refused cleanly (gigasim::Error); a crash, an abort or
// an uncaught exception fails the test, naming the input that caused it.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// The input being run, for the crash report (a signal handler may only write(2) it).
const std::string* g_current = nullptr;

void report_crash(int sig) {
  static const char head[] = "\n*** crashed on this input:\n---\n";
  static const char tail[] = "\n---\n";
  (void)!write(2, head, sizeof head - 1);
  if (g_current != nullptr) (void)!write(2, g_current->data(), g_current->size());
  (void)!write(2, tail, sizeof tail - 1);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One mutation of `s` (what a fuzzer's first rounds do, without coverage feedback).
std::string mutate(const std::string& s, const std::string& other, std::mt19937_64& rng) {
  static const char kInteresting[] = {'\0', '\n', ':', '-', '[', ']', '{', '}', ',', '"', '\'', '#', '&', '*',
                                      '!', '9', '0', ' ', '\t', '\xff', '.', 'e'};
  std::string m = s;
  const auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  switch (rng() % 6) {
    case 0:  // flip a bit
      if (!m.empty()) m[pick(m.size())] ^= static_cast<char>(1u << (rng() % 8));
      break;
    case 1:  // overwrite a byte with a structural one
      if (!m.empty()) m[pick(m.size())] = kInteresting[pick(sizeof kInteresting)];
      break;
    case 2:  // insert one
      m.insert(m.begin() + static_cast<std::ptrdiff_t>(pick(m.size() + 1)), kInteresting[pick(sizeof kInteresting)]);
      break;
    case 3:  // truncate
      m.resize(pick(m.size() + 1));
      break;
    case 4: {  // duplicate a slice (long numbers, repeated keys, deep nesting)
      const size_t a = pick(m.size() + 1), n = pick(std::min<size_t>(64, m.size() - a) + 1);
      m.insert(pick(m.size() + 1), m.substr(a, n));
      break;
    }
    default:  // splice with another seed
      m = m.substr(0, pick(m.size() + 1)) + other.substr(pick(other.size() + 1));
      break;
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  long mutations = 0;
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--mutations" && i + 1 < argc) {
      mutations = std::strtol(argv[++i], nullptr, 10);
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(a)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else if (std::filesystem::is_regular_file(a)) {
      files.emplace_back(a);
    } else {
      std::fprintf(stderr, "%s: no such file or directory: %s\n", argv[0], a.c_str());
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "%s: no inputs\n", argv[0]);
    return 2;
  }
  std::vector<std::string> seeds;
  for (const auto& f : files) seeds.push_back(read_file(f));
  std::mt19937_64 rng(seed);
  long runs = 0;
  std::string current;
  g_current = &current;
  for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, report_crash);
  for (size_t i = 0; i < seeds.size(); ++i) {
    for (long k = -1; k < mutations; ++k) {
      current = k < 0 ? seeds[i] : mutate(seeds[i], seeds[rng() % seeds.size()], rng);
      try {
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(current.data()), current.size());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: uncaught exception (%s) on %s, mutation %ld:\n---\n%s\n---\n", argv[0], e.what(),
                     files[i].c_str(), k, current.c_str());
        return 1;
      }
      ++runs;
    }
  }
  std::printf("%s: %ld inputs (%zu seeds, %ld mutations each, seed %llu): all accepted or refused cleanly\n",
              argv[0], runs, seeds.size(), mutations, static_cast<unsigned long long>(seed));
  return 0;
}
