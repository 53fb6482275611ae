package escl

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/zeroconf/v2"
)

// TestDiscover announces a scanner over mDNS on this machine's interfaces
// and finds it again, as the station finds network scanners.
func TestDiscover(t *testing.T) {
	ifaces, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	var mcast []net.Interface
	for _, i := range ifaces {
		if i.Flags&net.FlagUp != 0 && i.Flags&net.FlagMulticast != 0 {
			mcast = append(mcast, i)
		}
	}
	if len(mcast) == 0 {
		t.Skip("no interface with multicast here")
	}
	srv, err := zeroconf.Register("Radicador Sim Test", "_uscan._tcp", "local.", 18091,
		[]string{"txtvers=1", "rs=eSCL", "ty=Radicador Sim Test", "pdl=image/jpeg,image/png"}, mcast)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	devs, _ := Discover(ctx)
	for _, d := range devs {
		if d.Name == "Radicador Sim Test" {
			if !strings.HasPrefix(d.URI, "escl:http://") || !strings.HasSuffix(d.URI, ":18091/eSCL") {
				t.Errorf("device URI %q", d.URI)
			}
			return
		}
	}
	t.Fatalf("the announced scanner was not found among %v", devs)
}
