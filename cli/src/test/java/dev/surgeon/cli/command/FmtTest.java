package dev.surgeon.cli.command;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class FmtTest {
    @Property
    void countGroupsDigitsAsTheFormatterDoes(@ForAll long n) {
        assertThat(Fmt.count(n)).isEqualTo(String.format(Locale.ROOT, "%,d", n));
    }

    @Test
    void countAtTheGroupBoundariesAndExtremes() {
        assertThat(Fmt.count(0)).isEqualTo("0");
        assertThat(Fmt.count(999)).isEqualTo("999");
        assertThat(Fmt.count(1000)).isEqualTo("1,000");
        assertThat(Fmt.count(-1000)).isEqualTo("-1,000");
        assertThat(Fmt.count(-999_999)).isEqualTo("-999,999");
        assertThat(Fmt.count(Long.MIN_VALUE)).isEqualTo("-9,223,372,036,854,775,808");
        assertThat(Fmt.count(Long.MAX_VALUE)).isEqualTo("9,223,372,036,854,775,807");
    }
}
