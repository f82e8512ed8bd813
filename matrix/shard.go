package matrix

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// ShardOf returns the shard, 1..n, a cell id belongs to: the first 8 bytes
// of the SHA-256 of the id, modulo n. It depends on the id and n alone, so
// every machine agrees and adding cells never moves other cells.
func ShardOf(id string, n int) int {
	if n <= 1 {
		return 1
	}
	sum := sha256.Sum256([]byte(id))
	return int(binary.BigEndian.Uint64(sum[:8])%uint64(n)) + 1
}

// Shard returns the cells of shard i of n, in their original order. The n
// shards partition the cells: each cell is in exactly one. Shards are
// balanced only on average: with few cells some shards may be empty.
// Out-of-range i or n give no cells.
func Shard(cells []Cell, i, n int) []Cell {
	if n < 1 || i < 1 || i > n {
		return nil
	}
	var out []Cell
	for _, c := range cells {
		if ShardOf(c.ID, n) == i {
			out = append(out, c)
		}
	}
	return out
}

// ParseShard reads "i/n" as given to --shard, with 1 <= i <= n.
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	if ok {
		i, err1 := strconv.Atoi(a)
		n, err2 := strconv.Atoi(b)
		if err1 == nil && err2 == nil && n >= 1 && i >= 1 && i <= n {
			return i, n, nil
		}
	}
	return 0, 0, fmt.Errorf("%w: %q: expected i/n with 1 <= i <= n, e.g. 2/8", ErrShard, s)
}
