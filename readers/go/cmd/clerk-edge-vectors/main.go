// Command clerk-edge-vectors runs a reader vector file through the Go reader: prints "N passed, M failed".
package main

import (
	"fmt"
	"os"

	clerkedge "github.com/clerk-edge/clerk-edge/readers/go"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: clerk-edge-vectors FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	passed, failed, err := clerkedge.RunVectors(f, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
