// gigasim-baseline: the comparison point of bench/run --baseline. The same ring all-reduce that
// `bench/run --case allreduce` replays, written the way a plain SimGrid 3.32 program would: the
// built-in FatTree zone (create_fatTree_zone, one host per GPU, 32 per leaf, non-blocking) and
// actorless communications, each ring step a Comm that starts when the step before it on the
// ring has arrived (created from the completion signal). No gigasim code: it measures what our routing
// zone, our rank actors and our collapsed phases buy.
//
// Usage: gigasim-baseline GPUS BYTES PHASES
//   PHASES = 1 replays the collapsed ring (one flow per rank carrying 2(n-1)/n * BYTES, as
//   gigasim's fidelity collapsed does); PHASES = k > 1 splits it into k dependent steps.
// Prints one JSON object: build_s, replay_s, flows, sim_time_s, peak_rss_bytes.

#include <simgrid/kernel/routing/NetPoint.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/NetZone.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Non-blocking fat-tree of 32-port-down leaves: 2 levels up to 2,048 hosts, 3 above (pods of
// 32 leaves), as bench/run's generated fat-tree.
sg4::FatTreeParams params(unsigned gpus) {
  if (gpus <= 2048) return sg4::FatTreeParams(2, {32, gpus / 32}, {1, 32}, {1, 1});
  return sg4::FatTreeParams(3, {32, 32, gpus / 1024}, {1, 32, 32}, {1, 1, 1});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s GPUS BYTES PHASES\n", argv[0]);
    return 2;
  }
  const auto gpus = static_cast<unsigned>(std::strtoul(argv[1], nullptr, 10));
  const double bytes = std::strtod(argv[2], nullptr);
  const auto phases = static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10));
  if (gpus < 64 || gpus % (gpus <= 2048 ? 32 : 1024) != 0 || phases < 1) {
    std::fprintf(stderr, "gigasim-baseline: GPUS must be a multiple of 32 (of 1024 above 2048), PHASES >= 1\n");
    return 2;
  }
  int sg_argc = 2;
  char arg0[] = "gigasim-baseline";
  char arg1[] = "--log=root.thres:critical";
  char* sg_argv[] = {arg0, arg1, nullptr};
  sg4::Engine engine(&sg_argc, sg_argv);
  engine.set_config("network/model:CM02");
  engine.set_config("network/crosstraffic:0");

  const double t0 = now_s();
  std::vector<sg4::Host*> hosts(gpus);
  auto make_host = [&hosts](sg4::NetZone* zone, const std::vector<unsigned long>& /*coord*/, unsigned long id) {
    sg4::Host* h = zone->create_host("gpu" + std::to_string(id), 1e15)->seal();
    hosts[id] = h;
    return std::make_pair(h->get_netpoint(), static_cast<simgrid::kernel::routing::NetPoint*>(nullptr));
  };
  sg4::NetZone* zone = sg4::create_fatTree_zone("fabric", nullptr, params(gpus), sg4::ClusterCallbacks(make_host),
                                                50e9, 1e-6, sg4::Link::SharingPolicy::SPLITDUPLEX);
  zone->seal();
  const double build_s = now_s() - t0;

  // Ring all-reduce: 2(n-1) chunks of bytes/n per rank, in `phases` dependent steps.
  const double per_phase = 2.0 * (gpus - 1) / gpus * bytes / phases;
  // Each ring step starts when the step before it on the ring has arrived, created then (from
  // the completion signal, as a DAG would be unrolled): 2 handles per rank at most are alive.
  std::vector<sg4::CommPtr> live(2 * static_cast<size_t>(gpus));
  std::vector<sg4::CommPtr> finished, releasing;  // handles outlive their completion callback
  auto send = [&](unsigned phase, unsigned rank) {
    sg4::CommPtr c = sg4::Comm::sendto_init(hosts[rank], hosts[(rank + 1) % gpus]);
    c->set_payload_size(static_cast<uint64_t>(per_phase));
    c->set_data(reinterpret_cast<void*>((static_cast<uintptr_t>(phase) << 32) | rank));
    live[2 * rank + phase % 2] = c;
    c->start();
  };
  sg4::Activity::on_completion_cb([&](const sg4::Activity& a) {
    const auto tag = reinterpret_cast<uintptr_t>(a.get_data<void>());
    const auto phase = static_cast<unsigned>(tag >> 32);
    const auto rank = static_cast<unsigned>(tag & 0xffffffffu);
    releasing.clear();
    finished.push_back(std::move(live[2 * rank + phase % 2]));
    if (finished.size() > 64) releasing.swap(finished);
    if (phase + 1 < phases) send(phase + 1, (rank + 1) % gpus);
  });
  for (unsigned i = 0; i < gpus; ++i) send(0, i);
  const double t1 = now_s();
  engine.run();
  const double replay_s = now_s() - t1;
  finished.clear();
  releasing.clear();

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("{\"build_s\": %.6f, \"replay_s\": %.6f, \"flows\": %llu, \"sim_time_s\": %.9g, \"peak_rss_bytes\": %lld}\n",
              build_s, replay_s, static_cast<unsigned long long>(gpus) * phases, engine.get_clock(),
              static_cast<long long>(ru.ru_maxrss) * 1024);
  return 0;
}
