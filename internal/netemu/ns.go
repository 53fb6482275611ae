//go:build linux

package netemu

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"

	"golang.org/x/sys/unix"
)

// Namespace is a network namespace of its own, made for a test: only its
// loopback and what a Link adds.
type Namespace struct {
	Name string
}

// NewNamespace makes a network namespace named name (with this process's
// number added, so that runs at once do not meet). It needs root, or
// CAP_SYS_ADMIN and CAP_NET_ADMIN; Possible says whether this process has
// them.
func NewNamespace(name string) (*Namespace, error) {
	n := &Namespace{Name: fmt.Sprintf("%s-%d", name, os.Getpid())}
	if err := ip("netns", "add", n.Name); err != nil {
		return nil, err
	}
	if err := ip("-n", n.Name, "link", "set", "lo", "up"); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// Possible says why namespaces and links cannot be made here, or nil when
// they can.
func Possible() error {
	if _, err := exec.LookPath("ip"); err != nil {
		return errors.New("no ip command (Debian's iproute2)")
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		return fmt.Errorf("no TUN devices: %w", err)
	}
	if os.Geteuid() != 0 {
		return errors.New("network namespaces need root")
	}
	return nil
}

// Close takes the namespace away.
func (n *Namespace) Close() error { return ip("netns", "del", n.Name) }

// Command is a command to run inside the namespace.
func (n *Namespace) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", n.Name, name}, args...)...)
}

// Listen listens inside the namespace: connections come from there.
func (n *Namespace) Listen(network, addr string) (l net.Listener, err error) {
	err = n.do(func() error {
		l, err = net.Listen(network, addr)
		return err
	})
	return l, err
}

// DialContext connects from inside the namespace; an http.Transport's
// DialContext can be it.
func (n *Namespace) DialContext(ctx context.Context, network, addr string) (c net.Conn, err error) {
	err = n.do(func() error {
		c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
		return err
	})
	return c, err
}

// do runs f on a thread moved into the namespace, and moves the thread
// back. A socket belongs to the namespace it was made in, wherever it is
// used from then on. Should the thread fail to come back, it is left
// locked, and the runtime ends it with the goroutine.
func (n *Namespace) do(f func() error) error {
	target, err := os.Open("/run/netns/" + n.Name)
	if err != nil {
		return fmt.Errorf("netemu: %w", err)
	}
	defer target.Close()
	runtime.LockOSThread()
	home, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netemu: %w", err)
	}
	defer home.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netemu: entering %s: %w", n.Name, err)
	}
	ferr := f()
	if err := unix.Setns(int(home.Fd()), unix.CLONE_NEWNET); err != nil {
		return errors.Join(ferr, fmt.Errorf("netemu: leaving %s: %w", n.Name, err))
	}
	runtime.UnlockOSThread()
	return ferr
}
