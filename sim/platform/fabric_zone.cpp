#include "sim/platform/fabric_zone.hpp"

#include <simgrid/kernel/routing/NetPoint.hpp>
#include <simgrid/s4u/NetZone.hpp>

namespace sg4 = simgrid::s4u;
namespace kr = simgrid::kernel::routing;

namespace gigasim {

class FabricZone::LiveLinks final : public LinkStateView {
 public:
  LiveLinks(const std::vector<sg4::Link*>& links, const std::function<double(LinkId)>& load, uint32_t off)
      : links_(links), load_(load), all_up_(off == 0) {}
  bool is_up(LinkId l) const override { return all_up_ || links_[l]->is_on(); }
  double load(LinkId l) const override { return load_ ? load_(l) : 0.0; }

 private:
  const std::vector<sg4::Link*>& links_;
  const std::function<double(LinkId)>& load_;
  bool all_up_;
};

FabricZone::FabricZone(const std::string& name, const Topology& topo, std::optional<Folding> fold)
    : NetZoneImpl(name), topo_(topo), fold_(std::move(fold)) {}

void FabricZone::build() {
  sg4::NetZone* z = get_iface();
  hosts_.reserve(topo_.gpus);
  for (uint32_t g = 0; g < topo_.gpus; ++g) {
    sg4::Host* h = z->create_host("gpu" + std::to_string(g), topo_.gpu_flops);
    const auto id = static_cast<size_t>(h->get_netpoint()->id());
    if (gpu_of_netpoint_.size() <= id) gpu_of_netpoint_.resize(id + 1, UINT32_MAX);
    gpu_of_netpoint_[id] = g;
    hosts_.push_back(h);
  }
  links_.reserve(topo_.cables.size() * 2);
  impls_.reserve(topo_.cables.size() * 2);
  for (uint32_t c = 0; c < topo_.cables.size(); ++c) {
    const Cable& cab = topo_.cables[c];
    // Two simplex links per cable (what a split-duplex link is, without its extra object and map
    // entry), with short names to keep SimGrid's name-keyed maps cheap; Topology::link_name(l)
    // is the readable name used in result files.
    const std::string base = std::to_string(c);
    for (const char* dir : {"u", "d"}) {
      sg4::Link* half = z->create_link(base + dir, cab.bw_Bps);
      half->set_latency(cab.latency_s)->seal();
      links_.push_back(half);
      impls_.push_back(half->get_impl());
    }
  }
  // Flows with no live path are sent over this link, which is off: they fail at once, and the
  // sender reports the unreachable destination.
  dead_link_ = z->create_link("unreachable", 1.0);
  dead_link_->seal();
  z->seal();
  dead_link_->turn_off();
}

void FabricZone::set_link_up(LinkId l, bool up) {
  if (links_[l]->is_on() == up) return;
  if (up) {
    links_[l]->turn_on();
    --links_off_;
  } else {
    links_[l]->turn_off();
    ++links_off_;
  }
}

bool FabricZone::reachable(uint32_t src, uint32_t dst) const {
  Path p;
  return topo_.router->route(src, dst, 0, LiveLinks(links_, load_, links_off_), p);
}

double FabricZone::route_latency(uint32_t src, uint32_t dst) const {
  Path p;
  if (src == dst || !topo_.router->route(src, dst, 0, LiveLinks(links_, load_, links_off_), p)) return 0;
  double lat = 0;
  for (LinkId l : p) lat += topo_.cables[cable_of(l)].latency_s;
  return lat;
}

void FabricZone::get_local_route(const kr::NetPoint* src, const kr::NetPoint* dst, kr::Route* into,
                                 double* latency) {
  ++route_calls_;
  const uint32_t s = gpu_of_netpoint_[src->id()];
  const uint32_t d = gpu_of_netpoint_[dst->id()];
  uint64_t salt = 0;
  if (topo_.router->uses_flow_salt()) salt = pair_flows_[(uint64_t{s} << 32) | d]++;
  Path p;
  if (!topo_.router->route(s, d, salt, LiveLinks(links_, load_, links_off_), p)) {
    ++unreachable_;
    into->link_list_.push_back(dead_link_->get_impl());
    if (observer_) observer_(s, d, Path{}, {});  // a flow all the same: it starts and fails at once
    return;
  }
  for (LinkId l : p) {
    into->link_list_.push_back(impls_[l]);
    if (latency != nullptr && latency_in_routes_) *latency += topo_.cables[cable_of(l)].latency_s;
  }
  copies_.clear();
  if (fold_) {
    const GroupFamily& f = fold_->family;
    Path q;
    for (uint32_t k = 1; k < f.size; ++k) {
      if (!topo_.router->route(f.member(s, k), f.member(d, k), salt, LiveLinks(links_, load_, links_off_), q)) continue;
      for (LinkId l : q) {
        if (fold_->share[cable_of(l)] > 1) copies_.push_back(l);
      }
    }
    for (LinkId l : copies_) into->link_list_.push_back(impls_[l]);
  }
  if (observer_) observer_(s, d, p, copies_);
}

}  // namespace gigasim
