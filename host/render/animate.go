package render

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	imgdraw "image/draw"
	"image/gif"
	"io"
	"math"
	"sort"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/landscape-go/landscape/compute"
)

// Animations' bounds and timing.
const (
	// MaxFrames bounds an animation's frames: runs longer than
	// MaxFrames − 1 steps are shown at evenly spaced steps.
	MaxFrames = 200
	// frameDelay is each frame's time, lastDelay the last frame's, in
	// hundredths of a second (GIF's unit).
	frameDelay = 5
	lastDelay  = 200
	// Default size of an animation.
	defaultAnimWidth  = 800
	defaultAnimHeight = 640
)

// AnimateGIF draws a race of optimizers as an animated GIF, looping: every
// frame is f's heatmap with its contours, colourbar, o.Markers and o.Title,
// as PNG draws them (o.Width × o.Height; zero: 800×640), with o.Paths drawn
// up to one step (each path's point k is its state after k steps; one that
// stopped earlier stays whole), their legend where it hides no marker
// (placed for the whole paths, so it stays put), and a counter "step s of
// S" above the plot, S being the longest path's steps. There are
// min(S + 1, MaxFrames) frames: every step when there are few, else steps
// round(k·S/(MaxFrames − 1)) for k = 0 … MaxFrames − 1; frames are 50 ms
// apart and the last is held 2 s. Colours come from one palette of 256:
// the sixteen path styles, black and white, and a median cut of the
// picture's own colours; each frame after the first holds only the
// rectangle that changed. Nothing is written unless every frame rendered.
func AnimateGIF(w io.Writer, f *compute.Field, o Options) error {
	g, _, err := animate(f, o)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		return fmt.Errorf("render: encoding gif: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("render: writing gif: %w", err)
	}
	return nil
}

// FrameSteps are the steps an animation of paths up to steps long shows,
// one a frame (see AnimateGIF).
func FrameSteps(steps int) []int {
	n := min(max(steps, 0)+1, MaxFrames)
	out := make([]int, n)
	for k := range out {
		if n > 1 {
			out[k] = int(math.Round(float64(k) * float64(steps) / float64(n-1)))
		}
	}
	return out
}

// animLayout records what animate drew, for tests.
type animLayout struct {
	frame frame
	steps []int // the step each frame shows
}

func animate(f *compute.Field, o Options) (g *gif.GIF, al animLayout, err error) {
	if err := checkField(f); err != nil {
		return nil, al, err
	}
	if len(o.Paths) == 0 {
		return nil, al, fmt.Errorf("render: an animation needs paths")
	}
	if o.Width == 0 {
		o.Width = defaultAnimWidth
	}
	if o.Height == 0 {
		o.Height = defaultAnimHeight
	}
	s, err := resolve(f.Grid, o)
	if err != nil {
		return nil, al, err
	}
	col, err := colourField(f, s.log, o.Symmetric)
	if err != nil {
		return nil, al, err
	}
	col.name = o.Quantity
	defer func() {
		if r := recover(); r != nil {
			g, err = nil, fmt.Errorf("render: drawing failed: %v", r)
		}
	}()
	steps := 0
	for _, p := range o.Paths {
		steps = max(steps, len(p.Points)-1)
	}
	al.steps = FrameSteps(steps)

	// The background: everything but the paths, their legend and the
	// counter, drawn once, below a band for the title and the counter.
	cv := newCanvas(s.w, s.h, math.Sqrt(float64(s.w)/defaultWidth*float64(s.h)/defaultHeight))
	sty := textStyle(13, draw.XCenter, draw.YTop)
	const pad = vg.Length(8)
	body := cv.dc
	band := body
	body = draw.Crop(body, 0, 0, 0, -(pad + sty.Height("Mg") + pad/2))
	band.Min.Y = body.Max.Y
	if s.title != "" {
		body.FillText(sty, vg.Point{X: (body.Min.X + body.Max.X) / 2, Y: band.Max.Y - pad}, s.title)
	}
	bs := s
	bs.title, bs.paths = "", nil
	fr, err := drawField(cv, body, f, bs, col)
	if err != nil {
		return nil, al, err
	}
	full := make([]trace, len(o.Paths))
	for i, p := range o.Paths {
		full[i] = fr.trace(p)
	}
	legendLayer := cv.layer()
	if lg, tl, ok := pathLegend(fr, o.Paths, full, s.markers, false); ok {
		fr.legend = lg.draw(legendLayer.dc, tl)
	}
	al.frame = fr
	bg := cv.img
	pal := animPalette(bg)
	q := newQuantizer(pal)

	// The frames: the paths up to each frame's step over the background.
	counter := textStyle(11, draw.XRight, draw.YTop)
	dataR, bandR := cv.pixels(fr.data), cv.pixels(band.Rectangle)
	ly := cv.layer()
	cur := image.NewRGBA(bg.Bounds())
	prev := image.NewRGBA(bg.Bounds())
	g = &gif.GIF{LoopCount: 0, Config: image.Config{ColorModel: pal, Width: s.w, Height: s.h}}
	for k, st := range al.steps {
		copy(cur.Pix, bg.Pix)
		clearLayer(ly)
		traces := make([]trace, len(o.Paths))
		for i, p := range o.Paths {
			traces[i] = fr.trace(Path{Label: p.Label, Points: p.Points[:min(st+1, len(p.Points))]})
		}
		drawTraces(ly.dc, traces)
		imgdraw.Draw(cur, dataR, ly.img, dataR.Min, imgdraw.Over)
		imgdraw.Draw(cur, cur.Bounds(), legendLayer.img, image.Point{}, imgdraw.Over)
		clearLayer(ly)
		ly.dc.FillText(counter, vg.Point{X: band.Max.X - pad, Y: band.Max.Y - pad}, fmt.Sprintf("step %d of %d", st, steps))
		imgdraw.Draw(cur, bandR, ly.img, bandR.Min, imgdraw.Over)

		r := cur.Bounds()
		if k > 0 {
			r = changed(prev, cur)
		}
		pm := image.NewPaletted(r, pal)
		if k == 0 {
			q.into(pm, cur, nil)
		} else {
			q.into(pm, cur, prev)
		}
		delay := frameDelay
		if k == len(al.steps)-1 {
			delay = lastDelay
		}
		g.Image = append(g.Image, pm)
		g.Delay = append(g.Delay, delay)
		g.Disposal = append(g.Disposal, gif.DisposalNone)
		prev, cur = cur, prev
	}
	return g, al, nil
}

// clearLayer makes every pixel of l transparent.
func clearLayer(l layer) {
	clear(l.img.Pix)
}

// changed is the smallest rectangle outside which a and b agree (one pixel
// when they agree everywhere: a GIF frame needs one).
func changed(a, b *image.RGBA) image.Rectangle {
	r := image.Rectangle{}
	bounds := a.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		ra := a.Pix[a.PixOffset(bounds.Min.X, y):a.PixOffset(bounds.Max.X, y)]
		rb := b.Pix[b.PixOffset(bounds.Min.X, y):b.PixOffset(bounds.Max.X, y)]
		if bytes.Equal(ra, rb) {
			continue
		}
		x0, x1 := 0, len(ra)/4
		for x0 < x1 && bytes.Equal(ra[4*x0:4*x0+4], rb[4*x0:4*x0+4]) {
			x0++
		}
		for x1 > x0 && bytes.Equal(ra[4*x1-4:4*x1], rb[4*x1-4:4*x1]) {
			x1--
		}
		r = r.Union(image.Rect(bounds.Min.X+x0, y, bounds.Min.X+x1, y+1))
	}
	if r.Empty() {
		return image.Rect(bounds.Min.X, bounds.Min.Y, bounds.Min.X+1, bounds.Min.Y+1)
	}
	return r
}

// animPalette is the animation's 256 colours: transparent (index 0, for
// pixels a frame leaves as the one before drew them), the path styles,
// black and white, then a median cut of img's colours (see medianCut) for
// the rest.
func animPalette(img *image.RGBA) color.Palette {
	pal := color.Palette{color.RGBA{}, color.RGBA{0, 0, 0, 255}, color.RGBA{255, 255, 255, 255}}
	for i := 0; i < PathStyles; i++ {
		pal = append(pal, PathColor(i))
	}
	for _, c := range medianCut(img, 256-len(pal)) {
		pal = append(pal, c)
	}
	return pal
}

// medianCut picks up to n colours representing img's (opaque) pixels:
// Heckbert's median cut over a histogram of colours reduced to 5 bits a
// channel, splitting the box with the most pixels times its widest extent
// at the median of that channel, each box's colour its pixels' mean.
func medianCut(img *image.RGBA, n int) []color.RGBA {
	type bin struct {
		c     [3]int // 5-bit channels
		count int
		sum   [3]int // of the full 8-bit values
	}
	hist := map[int]*bin{}
	for i := 0; i+3 < len(img.Pix); i += 4 {
		r, g, b := int(img.Pix[i]), int(img.Pix[i+1]), int(img.Pix[i+2])
		key := r>>3<<10 | g>>3<<5 | b>>3
		e := hist[key]
		if e == nil {
			e = &bin{c: [3]int{r >> 3, g >> 3, b >> 3}}
			hist[key] = e
		}
		e.count++
		e.sum[0] += r
		e.sum[1] += g
		e.sum[2] += b
	}
	all := make([]*bin, 0, len(hist))
	for _, e := range hist {
		all = append(all, e)
	}
	// Deterministic order whatever the map's.
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i].c, all[j].c
		return a[0]<<10|a[1]<<5|a[2] < b[0]<<10|b[1]<<5|b[2]
	})
	type box struct {
		bins  []*bin
		count int
	}
	extent := func(b box) (ch, width int) {
		for k := 0; k < 3; k++ {
			lo, hi := 32, -1
			for _, e := range b.bins {
				lo, hi = min(lo, e.c[k]), max(hi, e.c[k])
			}
			if hi-lo > width {
				ch, width = k, hi-lo
			}
		}
		return ch, width
	}
	count := func(bins []*bin) int {
		t := 0
		for _, e := range bins {
			t += e.count
		}
		return t
	}
	boxes := []box{{all, count(all)}}
	for len(boxes) < n {
		best, bestScore, bestCh := -1, 0, 0
		for i, b := range boxes {
			if len(b.bins) < 2 {
				continue
			}
			ch, w := extent(b)
			if score := b.count * w; score > bestScore {
				best, bestScore, bestCh = i, score, ch
			}
		}
		if best < 0 {
			break
		}
		b := boxes[best]
		sort.SliceStable(b.bins, func(i, j int) bool { return b.bins[i].c[bestCh] < b.bins[j].c[bestCh] })
		half, seen, cut := b.count/2, 0, 1
		for i, e := range b.bins[:len(b.bins)-1] {
			seen += e.count
			cut = i + 1
			if seen >= half {
				break
			}
		}
		lo, hi := b.bins[:cut], b.bins[cut:]
		boxes[best] = box{lo, count(lo)}
		boxes = append(boxes, box{hi, count(hi)})
	}
	out := make([]color.RGBA, 0, len(boxes))
	for _, b := range boxes {
		var s [3]int
		for _, e := range b.bins {
			for k := range s {
				s[k] += e.sum[k]
			}
		}
		if b.count == 0 {
			continue
		}
		out = append(out, color.RGBA{uint8(s[0] / b.count), uint8(s[1] / b.count), uint8(s[2] / b.count), 255})
	}
	return out
}

// quantizer maps colours to their nearest palette entries (Euclidean in
// RGB), remembering each colour's answer.
type quantizer struct {
	pal   color.Palette
	rgb   [][3]int
	cache map[uint32]uint8
}

func newQuantizer(pal color.Palette) *quantizer {
	q := &quantizer{pal: pal, cache: map[uint32]uint8{}}
	for _, c := range pal {
		r, g, b, _ := c.RGBA()
		q.rgb = append(q.rgb, [3]int{int(r >> 8), int(g >> 8), int(b >> 8)})
	}
	return q
}

// into fills dst (a palette image over part of src's bounds) from src,
// with the transparent index 0 where src equals prev (when given).
func (q *quantizer) into(dst *image.Paletted, src, prev *image.RGBA) {
	r := dst.Rect
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			i := src.PixOffset(x, y)
			if prev != nil && bytes.Equal(src.Pix[i:i+4], prev.Pix[i:i+4]) {
				dst.Pix[dst.PixOffset(x, y)] = 0
				continue
			}
			key := uint32(src.Pix[i])<<16 | uint32(src.Pix[i+1])<<8 | uint32(src.Pix[i+2])
			idx, ok := q.cache[key]
			if !ok {
				idx = q.nearest(int(src.Pix[i]), int(src.Pix[i+1]), int(src.Pix[i+2]))
				q.cache[key] = idx
			}
			dst.Pix[dst.PixOffset(x, y)] = idx
		}
	}
}

// nearest is the index of the opaque palette colour nearest (r, g, b).
func (q *quantizer) nearest(r, g, b int) uint8 {
	best, bestD := 1, math.MaxInt
	for i, c := range q.rgb {
		if i == 0 {
			continue // transparent
		}
		dr, dg, db := r-c[0], g-c[1], b-c[2]
		if d := dr*dr + dg*dg + db*db; d < bestD {
			best, bestD = i, d
		}
	}
	return uint8(best)
}
