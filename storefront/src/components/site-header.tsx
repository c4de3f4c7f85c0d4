import Link from 'next/link';
import { publicRouterWsUrl } from '@/lib/config';
import { currency, isSignedIn } from '@/lib/session';
import { CartBadge } from './cart-badge';
import { CurrencySwitcher } from './currency-switcher';
import { DepartmentNav } from './department-nav';
import { NotificationBell } from './notification-bell';
import { SearchBox } from './search-box';

/** The shop's header on every page: brand, search, departments, currency, account, bell and cart. */
export async function SiteHeader() {
  const [signedIn, selectedCurrency] = await Promise.all([isSignedIn(), currency()]);
  const liveUrl = publicRouterWsUrl();
  return (
    <header className="site-header">
      <div className="site-header__bar">
        <Link href="/" className="brand">
          Commerce
        </Link>
        <SearchBox />
        <div className="site-header__tools">
          <CurrencySwitcher current={selectedCurrency} />
          <Link href={signedIn ? '/account' : '/account/sign-in'} className="header-link">
            {signedIn ? 'Account' : 'Sign in'}
          </Link>
          {signedIn ? <NotificationBell liveUrl={liveUrl} /> : null}
          <CartBadge liveUrl={liveUrl} />
        </div>
      </div>
      <DepartmentNav />
    </header>
  );
}
