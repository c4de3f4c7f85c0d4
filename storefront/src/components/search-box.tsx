'use client';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { type KeyboardEvent, Suspense, useEffect, useId, useRef, useState } from 'react';
import type { SuggestionItem } from '@/app/api/suggest/route';

/**
 * The header's search: a GET form to /search (works without JavaScript) whose
 * input is an ARIA combobox. While the shopper types, suggestions (typo-
 * tolerant product and category names) come from /api/suggest; arrow keys
 * move through them, Enter opens the active one (or searches), Escape closes.
 */
export function SearchBox() {
  return (
    <Suspense fallback={<SearchCombobox initialQuery="" />}>
      <SearchBoxFromUrl />
    </Suspense>
  );
}

function SearchBoxFromUrl() {
  const pathname = usePathname();
  const params = useSearchParams();
  const query = pathname === '/search' ? (params.get('q') ?? '') : '';
  return <SearchCombobox key={query} initialQuery={query} />;
}

const DEBOUNCE_MS = 150;

function SearchCombobox({ initialQuery }: { initialQuery: string }) {
  const router = useRouter();
  const id = useId();
  const inputId = `${id}-input`;
  const listId = `${id}-listbox`;
  const [value, setValue] = useState(initialQuery);
  const [suggestions, setSuggestions] = useState<SuggestionItem[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [typed, setTyped] = useState(false);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    if (!typed) return;
    const prefix = value.trim();
    if (prefix.length < 2) {
      setSuggestions([]);
      setActive(-1);
      return;
    }
    const timer = setTimeout(async () => {
      abort.current?.abort();
      const controller = new AbortController();
      abort.current = controller;
      try {
        const response = await fetch(`/api/suggest?q=${encodeURIComponent(prefix)}`, { signal: controller.signal });
        const body = (await response.json()) as { suggestions?: SuggestionItem[] };
        setSuggestions(body.suggestions ?? []);
        setActive(-1);
        setOpen(true);
      } catch {
        // Aborted by a newer keystroke, or offline: keep what is shown.
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [value, typed]);

  const expanded = open && suggestions.length > 0;

  function go(suggestion: SuggestionItem) {
    setOpen(false);
    setValue(suggestion.text);
    router.push(suggestion.href);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (!suggestions.length) return;
      setOpen(true);
      setActive((current) => (current + 1) % suggestions.length);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      if (!suggestions.length) return;
      setOpen(true);
      setActive((current) => (current <= 0 ? suggestions.length - 1 : current - 1));
    } else if (event.key === 'Enter') {
      const chosen = expanded && active >= 0 ? suggestions[active] : undefined;
      if (chosen) {
        event.preventDefault();
        go(chosen);
      } else {
        setOpen(false);
      }
    } else if (event.key === 'Escape') {
      if (expanded) {
        event.preventDefault();
        setOpen(false);
        setActive(-1);
      } else if (value) {
        event.preventDefault();
        setValue('');
      }
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  }

  return (
    <search className="search-box">
      <form action="/search" method="get" className="search-box__form" aria-label="Search the shop" autoComplete="off">
        <label htmlFor={inputId} className="visually-hidden">
          Search products
        </label>
        <div className="search-box__field">
          <input
            id={inputId}
            type="search"
            name="q"
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={expanded}
            aria-controls={listId}
            aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
            placeholder="Search products"
            value={value}
            maxLength={200}
            enterKeyHint="search"
            onChange={(event) => {
              setTyped(true);
              setValue(event.target.value);
              setOpen(true);
            }}
            onKeyDown={onKeyDown}
            onFocus={() => setOpen(true)}
            onBlur={() => setOpen(false)}
          />
          <div id={listId} role="listbox" aria-label="Suggestions" className="search-box__list" hidden={!expanded}>
            {suggestions.map((suggestion, index) => (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard works from the input (arrow keys and Enter, aria-activedescendant)
              <div
                key={`${suggestion.kind}:${suggestion.id}`}
                tabIndex={-1}
                id={`${listId}-${index}`}
                role="option"
                aria-selected={index === active}
                className="search-box__option"
                // Keep focus in the input; the click then chooses the option.
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => go(suggestion)}
              >
                <span className="search-box__text">{suggestion.text}</span>
                {suggestion.kind === 'CATEGORY' ? <span className="visually-hidden"> (category)</span> : null}
                <span className="search-box__kind" aria-hidden="true">
                  {suggestion.kind === 'CATEGORY' ? 'Category' : 'Product'}
                </span>
              </div>
            ))}
          </div>
        </div>
        <button type="submit" className="search-box__submit">
          Search
        </button>
      </form>
    </search>
  );
}
