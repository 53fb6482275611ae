//go:build linux

package netemu

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Config is what the link is like, each way.
type Config struct {
	Rate  int64         // bits a second; 0 is as fast as the machine goes
	Delay time.Duration // one way: half the round trip
	Loss  float64       // share of the packets lost at random, 0 to 1
	Queue int           // full-size packets the sender's queue holds before it drops (100 when 0)
	Seed  uint64        // for the losses: the same seed loses the same packets
}

// Stats counts what one direction of the link carried.
type Stats struct {
	Packets int64 // packets offered to the link
	Bytes   int64 // their bytes, headers and all
	Lost    int64 // packets lost: at random, to a full queue, or while cut
	// Payload counts the TCP payload bytes sent for the first time in
	// their connection, whether they got through or not: a TCP
	// retransmission is not counted, a request sent again on a new
	// connection is.
	Payload int64
}

// Link is a point-to-point IPv4 link between two namespaces.
type Link struct {
	cfg  Config
	a, b *os.File
	down atomic.Bool
	dirs [2]*direction
	wg   sync.WaitGroup
}

// Open makes the link between namespaces nsA and nsB (as `ip netns` names
// them), with address addrA on A's side and addrB on B's, and starts
// carrying packets. Close stops it and takes the devices away.
func Open(nsA, nsB string, addrA, addrB netip.Addr, cfg Config) (*Link, error) {
	if cfg.Queue == 0 {
		cfg.Queue = 100
	}
	l := &Link{cfg: cfg}
	var err error
	// The devices are named after this process, so that runs at once do
	// not meet.
	nameA, nameB := fmt.Sprintf("emu%da", os.Getpid()%100000), fmt.Sprintf("emu%db", os.Getpid()%100000)
	if l.a, err = tun(nameA); err != nil {
		return nil, err
	}
	if l.b, err = tun(nameB); err != nil {
		l.a.Close()
		return nil, err
	}
	for _, side := range []struct {
		dev, ns     string
		self, other netip.Addr
	}{{nameA, nsA, addrA, addrB}, {nameB, nsB, addrB, addrA}} {
		if err := ip("link", "set", side.dev, "netns", side.ns); err != nil {
			l.a.Close()
			l.b.Close()
			return nil, err
		}
		for _, args := range [][]string{
			{"-n", side.ns, "addr", "add", side.self.String() + "/32", "peer", side.other.String() + "/32", "dev", side.dev},
			{"-n", side.ns, "link", "set", side.dev, "up"},
		} {
			if err := ip(args...); err != nil {
				l.a.Close()
				l.b.Close()
				return nil, err
			}
		}
	}
	for i, pair := range [][2]*os.File{{l.a, l.b}, {l.b, l.a}} {
		d := &direction{link: l, from: pair[0], to: pair[1], rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i))),
			due: make(chan packet, 8192), flows: map[flow]uint32{}}
		l.dirs[i] = d
		l.wg.Add(2)
		go d.take()
		go d.deliver()
	}
	return l, nil
}

// SetDown cuts the link (true) or joins it again (false): while it is
// cut, every packet is lost, both ways.
func (l *Link) SetDown(down bool) { l.down.Store(down) }

// Stats gives what the link carried from A to B, and from B to A.
func (l *Link) Stats() (ab, ba Stats) {
	return l.dirs[0].stats(), l.dirs[1].stats()
}

// Close stops the link and waits for it; the devices go with it.
func (l *Link) Close() error {
	ea, eb := l.a.Close(), l.b.Close()
	l.wg.Wait()
	return errors.Join(ea, eb)
}

// tun opens a new TUN device that carries bare IP packets.
func tun(name string) (*os.File, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("netemu: /dev/net/tun: %w", err)
	}
	req, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netemu: %w", err)
	}
	req.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, req); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netemu: making device %s: %w", name, err)
	}
	// Non-blocking, for the runtime's poller: Close then ends a Read.
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netemu: %w", err)
	}
	return os.NewFile(uintptr(fd), name), nil
}

func ip(args ...string) error {
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("netemu: ip %v: %w: %s", args, err, out)
	}
	return nil
}

// packet is one packet on its way, and when it arrives.
type packet struct {
	data []byte
	at   time.Time
}

// flow is a TCP connection's one direction: source and destination
// addresses and ports.
type flow [12]byte

// direction carries the packets of one way.
type direction struct {
	link     *Link
	from, to *os.File
	rng      *rand.Rand
	due      chan packet
	free     time.Time // when the line has sent what it holds
	flows    map[flow]uint32
	mu       sync.Mutex
	counted  Stats
}

func (d *direction) stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.counted
}

// take reads the packets the sending side writes and puts each on its way,
// or loses it.
func (d *direction) take() {
	defer d.link.wg.Done()
	defer close(d.due)
	cfg := d.link.cfg
	buf := make([]byte, 1<<16)
	// The queue's length in time: what it holds takes this long to send.
	var queue time.Duration
	if cfg.Rate > 0 {
		queue = time.Duration(int64(cfg.Queue) * 1500 * 8 * int64(time.Second) / cfg.Rate)
	}
	for {
		n, err := d.from.Read(buf)
		if err != nil {
			return
		}
		now := time.Now()
		lost := d.link.down.Load() || (cfg.Loss > 0 && d.rng.Float64() < cfg.Loss)
		start := now
		if d.free.After(now) {
			start = d.free
		}
		if cfg.Rate > 0 && start.Sub(now) > queue {
			lost = true // the queue is full: dropped at its tail
		}
		d.count(buf[:n], lost)
		if lost {
			continue
		}
		if cfg.Rate > 0 {
			d.free = start.Add(time.Duration(int64(n) * 8 * int64(time.Second) / cfg.Rate))
		} else {
			d.free = now
		}
		d.due <- packet{data: append([]byte(nil), buf[:n]...), at: d.free.Add(cfg.Delay)}
	}
}

// deliver writes each packet to the receiving side when it is due.
func (d *direction) deliver() {
	defer d.link.wg.Done()
	for p := range d.due {
		if wait := time.Until(p.at); wait > 0 {
			time.Sleep(wait)
		}
		d.to.Write(p.data) // a packet the receiver refuses is lost, as on a wire
	}
}

// count adds a packet to the direction's figures.
func (d *direction) count(p []byte, lost bool) {
	fresh := d.freshPayload(p)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.counted.Packets++
	d.counted.Bytes += int64(len(p))
	d.counted.Payload += fresh
	if lost {
		d.counted.Lost++
	}
}

// freshPayload gives how many bytes of a TCP packet's payload its
// connection sends for the first time.
func (d *direction) freshPayload(p []byte) int64 {
	if len(p) < 20 || p[0]>>4 != 4 || p[9] != unix.IPPROTO_TCP {
		return 0
	}
	ihl := int(p[0]&0x0f) * 4
	total := int(p[2])<<8 | int(p[3])
	if total > len(p) || ihl+20 > total {
		return 0
	}
	t := p[ihl:total]
	var f flow
	copy(f[:8], p[12:20])
	copy(f[8:], t[:4])
	seq := uint32(t[4])<<24 | uint32(t[5])<<16 | uint32(t[6])<<8 | uint32(t[7])
	payload := uint32(len(t) - int(t[12]>>4)*4)
	const syn = 0x02
	if t[13]&syn != 0 {
		d.flows[f] = seq + 1 // a new connection
		return 0
	}
	high, known := d.flows[f]
	if !known {
		high = seq
	}
	end := seq + payload
	var fresh int64
	if delta := int32(end - high); delta > 0 {
		fresh = int64(min(uint32(delta), payload))
		high = end
	}
	d.flows[f] = high
	return fresh
}
