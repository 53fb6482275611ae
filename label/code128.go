package label

import (
	"fmt"
	"strings"
)

// code128Patterns are the widths of bar, space, bar… of each Code 128
// symbol value, in modules; 106 is the stop pattern.
var code128Patterns = [107]string{
	"212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
	"221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
	"221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
	"212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
	"231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
	"231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
	"314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
	"112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
	"111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
	"214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
	"114131", "311141", "411131", "211412", "211214", "211232", "2331112",
}

const (
	c128CodeC  = 99
	c128CodeB  = 100
	c128StartB = 104
	c128StartC = 105
	c128Stop   = 106
)

// code128 is a Code 128 symbol in subsets B and C: the values, from the
// start code to the check symbol.
type code128 struct {
	values []int
	// zpl is the field data for ZPL's ^BC with the same subsets: >: starts
	// B, >; starts C, >5 and >6 change to C and B.
	zpl string
}

// digitRun counts the digits at the start of s.
func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// encode128 encodes printable ASCII, using subset C for runs of digits long
// enough to save space (four at either end, six in the middle).
func encode128(s string) (code128, error) {
	if s == "" {
		return code128{}, fmt.Errorf("code 128: nothing to encode")
	}
	for _, r := range s {
		if r < 32 || r > 126 {
			return code128{}, fmt.Errorf("code 128: %q cannot be encoded (printable ASCII only)", r)
		}
	}
	var c code128
	var zpl strings.Builder
	subset := byte(0)
	for i := 0; i < len(s); {
		run := digitRun(s[i:])
		useC := run >= 4 && (i == 0 || i+run == len(s) || run >= 6)
		if i == 0 && run == len(s) && run%2 == 0 {
			useC = true // digits only, an even number of them
		}
		if useC && run%2 == 1 && subset != 'C' {
			// An odd run: its first digit goes in B, the rest in pairs.
			if subset == 0 {
				c.values = append(c.values, c128StartB)
				zpl.WriteString(">:")
				subset = 'B'
			}
			c.values = append(c.values, int(s[i])-32)
			zpl.WriteByte(s[i])
			i++
			run--
		}
		if useC {
			switch subset {
			case 0:
				c.values = append(c.values, c128StartC)
				zpl.WriteString(">;")
			case 'B':
				c.values = append(c.values, c128CodeC)
				zpl.WriteString(">5")
			}
			subset = 'C'
			for ; run >= 2; run -= 2 {
				c.values = append(c.values, int(s[i]-'0')*10+int(s[i+1]-'0'))
				zpl.WriteString(s[i : i+2])
				i += 2
			}
			continue
		}
		switch subset {
		case 0:
			c.values = append(c.values, c128StartB)
			zpl.WriteString(">:")
		case 'C':
			c.values = append(c.values, c128CodeB)
			zpl.WriteString(">6")
		}
		subset = 'B'
		if s[i] == '>' {
			zpl.WriteString("><") // ZPL's escape for > itself
		} else {
			zpl.WriteByte(s[i])
		}
		c.values = append(c.values, int(s[i])-32)
		i++
	}
	sum := c.values[0]
	for k, v := range c.values[1:] {
		sum += (k + 1) * v
	}
	c.values = append(c.values, sum%103)
	c.zpl = zpl.String()
	return c, nil
}

// modules gives the bars of the symbol, one bool per module (true: black),
// without quiet zones.
func (c code128) modules() []bool {
	var out []bool
	for _, v := range append(c.values, c128Stop) {
		black := true
		for _, w := range code128Patterns[v] {
			for range int(w - '0') {
				out = append(out, black)
			}
			black = !black
		}
	}
	return out
}
