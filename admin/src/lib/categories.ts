import 'server-only';
import { graphql } from '@/graphql/generated';
import { executeGraphQL } from './graphql';

const AdminTopCategoriesQuery = graphql(`
  query AdminTopCategories {
    categories(first: 100) {
      edges {
        node {
          id
          name
          slug
          position
          version
        }
      }
    }
  }
`);

const AdminCategoryChildrenQuery = graphql(`
  query AdminCategoryChildren($id: ID!) {
    category(id: $id) {
      id
      children(first: 100) {
        edges {
          node {
            id
            name
            slug
            position
            version
          }
        }
      }
    }
  }
`);

export interface CategoryOption {
  id: string;
  name: string;
  slug: string;
  depth: number;
  parentId: string | null;
  position: number;
  version: number;
  /** "Apparel › Jackets". */
  path: string;
}

/** The tree's levels the console shows (the storefront's departments, their categories, and those's subcategories). */
const DEPTHS = 3;

/** How long a read of the tree is reused by this server (the tree is public catalog data, not personal). */
const TREE_TTL_MS = 5_000;
let cached: { at: number; tree: Promise<CategoryOption[]> } | undefined;

/**
 * The category tree (three levels) flattened in display order, for selects
 * and the Categories section. Read a level at a time, each level's children
 * in parallel: one query for the whole tree would ask for 100 × 100 × 100
 * places, far over the router's cost limit (1,000), while the tree itself is
 * small. A read costs about 200 per category with children, spent from the
 * admin's rate-limit budget, so it is reused for 5 seconds (the storefront's
 * bound for catalog data) and dropped at once when this console changes a
 * category (forgetCategoryTree).
 */
export function categoryOptions(token: string): Promise<CategoryOption[]> {
  if (cached && Date.now() - cached.at < TREE_TTL_MS) return cached.tree;
  const tree = readCategoryTree(token);
  cached = { at: Date.now(), tree };
  tree.catch(() => {
    if (cached?.tree === tree) cached = undefined;
  });
  return tree;
}

/** After a category is created, renamed, moved or reordered here. */
export function forgetCategoryTree(): void {
  cached = undefined;
}

async function readCategoryTree(token: string): Promise<CategoryOption[]> {
  const { categories } = await executeGraphQL(AdminTopCategoriesQuery, { accessToken: token });
  const top: CategoryOption[] = categories.edges.map(({ node }) => ({ ...node, depth: 0, parentId: null, path: node.name }));
  const childrenOf = new Map<string, CategoryOption[]>();
  let level = top;
  for (let depth = 1; depth < DEPTHS && level.length > 0; depth += 1) {
    const answers = await Promise.all(level.map((parent) => executeGraphQL(AdminCategoryChildrenQuery, { variables: { id: parent.id }, accessToken: token })));
    const next: CategoryOption[] = [];
    answers.forEach((answer, index) => {
      const parent = level[index] as CategoryOption;
      const children = (answer.category?.children.edges ?? []).map(({ node }) => ({
        ...node,
        depth,
        parentId: parent.id,
        path: `${parent.path} › ${node.name}`,
      }));
      childrenOf.set(parent.id, children);
      next.push(...children);
    });
    level = next;
  }
  const out: CategoryOption[] = [];
  const visit = (option: CategoryOption) => {
    out.push(option);
    for (const child of childrenOf.get(option.id) ?? []) visit(child);
  };
  for (const option of top) visit(option);
  return out;
}
