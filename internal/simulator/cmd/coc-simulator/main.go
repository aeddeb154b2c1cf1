// Command coc-simulator serves the COC mobile-app API simulator on a local address.
//
//	go run ./internal/simulator/cmd/coc-simulator -listen 127.0.0.1:18080 [-tenants tenants.json]
//
// Without a tenants file it creates one demo tenant and prints its keys as shell exports.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "coc-simulator:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:18080", "address to listen on (port 0 picks a free port)")
	tenantsFile := flag.String("tenants", "", `JSON file with a list of {"access_key","secret_key","domain_id"}`)
	flag.Parse()

	tenants, err := loadTenants(*tenantsFile)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	if *tenantsFile == "" {
		t := tenants[0]
		fmt.Printf("demo tenant:\nexport HW_ACCESS_KEY=%s\nexport HW_SECRET_KEY=%s\nexport HW_DOMAIN_ID=%s\nexport HW_COC_ENDPOINT=http://%s\n",
			t.AccessKey, t.SecretKey, t.DomainID, ln.Addr())
	}
	server := &http.Server{Handler: simulator.New(tenants), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()
	fmt.Printf("listening on http://%s\n", ln.Addr())
	if err := server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func loadTenants(path string) ([]simulator.Tenant, error) {
	if path == "" {
		return []simulator.Tenant{{AccessKey: "DEMO" + randomHex(8), SecretKey: randomHex(20), DomainID: randomHex(16)}}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tenants []simulator.Tenant
	if err := json.Unmarshal(data, &tenants); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(tenants) == 0 {
		return nil, fmt.Errorf("%s: no tenants", path)
	}
	for i, t := range tenants {
		if t.AccessKey == "" || t.SecretKey == "" {
			return nil, fmt.Errorf("%s: tenant %d needs access_key and secret_key", path, i)
		}
	}
	return tenants, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%X", b)
}
