#!/usr/bin/perl
# Writes svcd's icon (Add/Remove Programs, ARPPRODUCTICON) as a .ico file:
# one 32x32 32-bit image, drawn here so no binary is committed and no image
# tool is needed (perl is in every Debian). Usage: mkicon.pl OUT.ico
use strict;
use warnings;

my $out = shift or die "usage: mkicon.pl OUT.ico\n";
my $n = 32;
my @px;    # rows top to bottom, each pixel [b, g, r, a]

# A pulse line (a heartbeat) across the middle: y offsets from centre.
my @pulse = (0) x $n;
@pulse[11 .. 20] = (-2, -6, -10, -6, 0, 6, 9, 5, 2, 0);

for my $y (0 .. $n - 1) {
    for my $x (0 .. $n - 1) {
        my ($dx, $dy) = ($x - 15.5, $y - 15.5);
        my $inside = $dx * $dx + $dy * $dy <= 15.5 * 15.5;
        my @c = $inside ? (0x8a, 0x4a, 0x1f, 0xff) : (0, 0, 0, 0);    # dark blue disc
        if ($inside && abs($y - (16 + $pulse[$x])) <= 1) {
            @c = (0xff, 0xff, 0xff, 0xff);
        }
        push @{ $px[$y] }, \@c;
    }
}

my $xor = '';
for my $y (reverse 0 .. $n - 1) {    # BMP rows go bottom-up
    $xor .= pack('C4', @$_) for @{ $px[$y] };
}
my $and = "\0" x (4 * $n);           # 1 bit per pixel, rows padded to 32 bits
my $bmp = pack('V l l v v V V l l V V', 40, $n, 2 * $n, 1, 32, 0, length($xor) + length($and),
    0, 0, 0, 0) . $xor . $and;
my $ico = pack('v v v', 0, 1, 1) . pack('C C C C v v V V', $n, $n, 0, 0, 1, 32, length($bmp), 22)
    . $bmp;

open(my $fh, '>:raw', $out) or die "mkicon.pl: $out: $!\n";
print $fh $ico;
close($fh) or die "mkicon.pl: $out: $!\n";
